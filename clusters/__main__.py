"""``python -m clusters --data REGIONS.csv [--national NATIONAL.csv] --out OUT.csv``."""

from clusters.cli import main

raise SystemExit(main())
