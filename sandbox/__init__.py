"""Running untrusted code: the sandbox image and the hardened container runner.

A library the harness calls; it imports nothing else of this project.

    tag = ensure_image(ImageRecipe(), progress=print)
    result = Sandbox().run(RunSpec(command=["python", "train.py"], image=tag,
                                   limits=Limits(wall_seconds=300, memory_bytes=2 << 30),
                                   mounts=[Mount(submission_dir, "/submission")],
                                   outputs={"/out": out_dir}))
    files = collect_outputs(out_dir, max_file_bytes=50 << 20, max_total_bytes=200 << 20)
"""

from sandbox.collect import Collected, CollectedFile, collect_outputs
from sandbox.errors import InfrastructureError, PeerGone, SandboxError
from sandbox.image import ImageRecipe, default_cache_dir, ensure_image, image_tag, prune_images
from sandbox.runner import DEFAULT_LABEL, Sandbox
from sandbox.service import Service
from sandbox.spec import Limits, Mount, RunResult, RunSpec, Verdict
from sandbox.user import SANDBOX_GID, SANDBOX_HOME, SANDBOX_UID

__all__ = [
    "DEFAULT_LABEL",
    "SANDBOX_GID",
    "SANDBOX_HOME",
    "SANDBOX_UID",
    "Collected",
    "CollectedFile",
    "ImageRecipe",
    "InfrastructureError",
    "Limits",
    "Mount",
    "PeerGone",
    "RunResult",
    "RunSpec",
    "Sandbox",
    "SandboxError",
    "Service",
    "Verdict",
    "collect_outputs",
    "default_cache_dir",
    "ensure_image",
    "image_tag",
    "prune_images",
]
