"""The document library: uploaded statuten and other example documents."""
