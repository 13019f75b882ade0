#!/usr/bin/env bash
# Prints the Pulumi state backend URL for a DigitalOcean Spaces bucket:
#   bash scripts/spaces-backend.sh <bucket> <region>
# The endpoint carries its https:// scheme: without one the CLI depends on a legacy translation of the
# S3 backend's URL that has broken before (pulumi/pulumi#23478). Spaces ignores the AWS region, which
# the S3 client still wants.
set -euo pipefail
bucket="${1:-}" region="${2:-}"
if ! [[ "$bucket" =~ ^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$ ]]; then
    echo "spaces-backend: bucket \"$bucket\": use 3-63 lowercase letters, digits and dashes (the Spaces bucket's name)" >&2
    exit 2
fi
if ! [[ "$region" =~ ^[a-z]{3}[0-9]$ ]]; then
    echo "spaces-backend: region \"$region\": use a Spaces region such as fra1, ams3, nyc3, sgp1" >&2
    exit 2
fi
echo "s3://${bucket}?endpoint=https://${region}.digitaloceanspaces.com&region=us-east-1&s3ForcePathStyle=true"
