"""The agent dialogue: a coder and a reviewer (autogen) over the diff and the findings."""
