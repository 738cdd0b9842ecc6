"""hostprov: the Host Provisioner of NOOR Canvas."""

__version__ = "0.1.0"
