"""Reference solutions to the exercises, same files and functions as `exercises/`."""
