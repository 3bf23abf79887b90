"""Analyses of a repository outside GitHub pull requests: the REST API's source and reporter."""
