"""The package list for setuptools (everything else is in pyproject.toml).

resources/ (translations, icons, style) sits at the top of the repository, as the design's layout
has it, and ships inside the package as `opgelucht_desk.resources`; that mapping is why the packages
are listed here rather than found by pyproject.toml's `packages.find`. The relay lives in server/ and
installs as `opgelucht_relay` (server/opgelucht_relay/), a name of its own rather than a generic top-level
`server` that would collide with any other project installed beside it.
"""

from setuptools import find_packages, setup

RESOURCE_PACKAGES = [
    "opgelucht_desk.resources",
    "opgelucht_desk.resources.i18n",
    "opgelucht_desk.resources.icons",
]

setup(
    packages=[
        *find_packages(include=["opgelucht_desk*", "opgelucht_reporter*"]),
        *find_packages(where="server", include=["opgelucht_relay*"]),
        *RESOURCE_PACKAGES,
    ],
    package_dir={"opgelucht_desk.resources": "resources", "opgelucht_relay": "server/opgelucht_relay"},
)
