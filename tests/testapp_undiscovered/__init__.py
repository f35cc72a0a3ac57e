"""An app that is not in INSTALLED_APPS: tests install it with override_settings."""
