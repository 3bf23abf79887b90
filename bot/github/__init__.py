"""The GitHub REST client: App auth, retries and circuit breaking, errors, and the PullRequest gateway."""
