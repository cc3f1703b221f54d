"""Contracts and building blocks every SNT service speaks; imports no service."""

__version__ = "0.1.0"
