"""Test support for prodlife and for host applications that build on it.

:mod:`prodlife.testing.strategies` holds hypothesis strategies for the domain's
values. This package needs the ``test`` extra (``pip install 'prodlife[test]'``).
"""
