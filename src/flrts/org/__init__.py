"""The organisation's places and partners: Sites and Contractors."""
