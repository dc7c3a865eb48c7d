"""Cluster pages (HTML, thin): the list, one cluster, the specialisation map, the editor."""
