# Sourced (not run) by the release scripts and by CI: the environment under which the release
# binaries do not depend on the directory they are built in or on the builder's home.
#   source scripts/reproducible-env.sh
# * RUSTFLAGS remaps this checkout to /build/prov-verify and the Cargo home (registry sources) to
#   /cargo in everything rustc writes: panic locations, debug line tables, file!() of
#   dependencies. The standard library's paths are already /rustc/<commit>/ in the toolchain.
# * CFLAGS does the same for the C code of dependencies (aws-lc-sys, ring), compiled through the
#   cc crate, which reads CFLAGS.
# Nothing else is needed: no build script of ours embeds a time, a host name or a Git state, and
# the linker's build ID is a hash of the output.
_pv_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_pv_root_physical=$(cd "$_pv_root" && pwd -P)
_pv_cargo_home=${CARGO_HOME:-$HOME/.cargo}
_pv_cargo_home_physical=$(cd "$_pv_cargo_home" 2>/dev/null && pwd -P || echo "$_pv_cargo_home")
RUSTFLAGS="--remap-path-prefix=$_pv_cargo_home=/cargo --remap-path-prefix=$_pv_root=/build/prov-verify"
CFLAGS="-ffile-prefix-map=$_pv_cargo_home=/cargo -ffile-prefix-map=$_pv_root=/build/prov-verify"
if [ "$_pv_cargo_home_physical" != "$_pv_cargo_home" ]; then
  RUSTFLAGS="--remap-path-prefix=$_pv_cargo_home_physical=/cargo $RUSTFLAGS"
  CFLAGS="-ffile-prefix-map=$_pv_cargo_home_physical=/cargo $CFLAGS"
fi
if [ "$_pv_root_physical" != "$_pv_root" ]; then
  RUSTFLAGS="$RUSTFLAGS --remap-path-prefix=$_pv_root_physical=/build/prov-verify"
  CFLAGS="$CFLAGS -ffile-prefix-map=$_pv_root_physical=/build/prov-verify"
fi
export RUSTFLAGS CFLAGS
unset _pv_root _pv_root_physical _pv_cargo_home _pv_cargo_home_physical
