"""What the bot writes: Markdown for GitHub, the sanitiser for untrusted text, terminal-safe text."""
