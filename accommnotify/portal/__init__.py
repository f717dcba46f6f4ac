"""Portal files (issue 9): what the facility uploads to the national declaration portal by hand,
and the reconciliation of what the portal then showed. Used by the API, the pages and the CLI."""
