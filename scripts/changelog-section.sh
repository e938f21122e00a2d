#!/usr/bin/env bash
# Prints the body of one version's section of a Keep a Changelog file: the lines after its
# "## [X.Y.Z]" heading, up to the next "## " heading or the link definitions at the end, without
# leading or trailing blank lines. The release workflow uses it for the GitHub release notes.
#
#   scripts/changelog-section.sh <version> [changelog]    # version: 1.2.3 or v1.2.3
#
# Exits 1 naming the version when the file has no such section or the section is empty, and 2 on
# wrong usage, so a release never goes out with empty or wrong notes.
set -euo pipefail

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || [ -z "$1" ]; then
  echo "usage: $0 <version> [changelog]" >&2
  exit 2
fi
version=${1#v}
changelog=${2:-CHANGELOG.md}
if [ ! -r "$changelog" ]; then
  echo "changelog-section: cannot read $changelog" >&2
  exit 2
fi

# The heading is compared as text, not as a pattern, so the dots in a version match only dots.
section=$(awk -v heading="## [$version]" '
  function starts_with(text, prefix) { return substr(text, 1, length(prefix)) == prefix }
  inside && (starts_with($0, "## ") || $0 ~ /^\[[^]]+\]: /) { exit }
  inside { print }
  $0 == heading || starts_with($0, heading " ") { inside = 1; found = 1 }
  END { if (!found) exit 3 }
' "$changelog") || status=$?

if [ "${status:-0}" -eq 3 ]; then
  echo "changelog-section: $changelog has no section for version $version (expected a heading '## [$version] - YYYY-MM-DD')" >&2
  exit 1
elif [ "${status:-0}" -ne 0 ]; then
  exit "$status"
fi

# $(...) already dropped trailing newlines; drop the leading blank lines too.
body=$(printf '%s\n' "$section" | sed '/./,$!d')
if [ -z "$body" ]; then
  echo "changelog-section: the section for version $version in $changelog is empty" >&2
  exit 1
fi
printf '%s\n' "$body"
