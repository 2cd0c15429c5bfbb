"""Layers and models with a PyTorch-shaped API."""
from .module import Module, Parameter
from . import init
from .layers import (AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, Dropout, Flatten, Identity,
                     LayerNorm, Linear, MaxPool2d, ModuleList, MSELoss, ReLU, ResidualBlock, Sequential, Sigmoid,
                     Tanh)
from .rnn import LSTM, RNN, LSTMCell, RNNCell
from . import utils
