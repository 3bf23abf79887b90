"""The review pipeline: a source (local git or a GitHub PR) -> analyze -> agent dialogue -> a reporter."""
