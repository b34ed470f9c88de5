"""Files copied into the sandbox image at ``/opt/harness/`` (listed in
:data:`sandbox.image.RUNTIME_FILES`). They run inside the container, never on the host."""
