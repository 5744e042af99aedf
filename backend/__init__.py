"""The HTTP API: projects and workflows stored, versioned, validated and compiled."""
