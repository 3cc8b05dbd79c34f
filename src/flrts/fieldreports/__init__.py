"""Field reports: what someone saw at a site, with readings and attachments."""
