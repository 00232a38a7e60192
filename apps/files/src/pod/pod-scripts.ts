// The only shell text the files service ever runs, reviewed like code: constant scripts for POSIX sh
// (dash) with GNU coreutils, findutils and tar — what the itzg/minecraft-server image (Ubuntu) and the
// helper image both have. They run as `sh -c SCRIPT sh OWNER ARG…`: every path arrives as an argument
// (`"$1"`), never as script text, and bytes travel over stdin/stdout only.
//
// Confinement is by construction: `enter` walks from /data into a folder one component at a time with
// `cd -P`, checking the physical working directory after each step. The working directory is then a
// held reference — swapping a component for a symbolic link afterwards does not move it — and each
// script acts on the last component relative to it, with tools that do not follow a final link
// (`dd iflag=nofollow`/`oflag=nofollow`, `mv -T`, `rm`, `cp -P`, `find -P`, `tar` without `-h`).
// A second folder is held as descriptor 3 (`exec 3<.` after walking into it) and named
// `/proc/self/fd/3/NAME`, which the kernel resolves to that very folder, not to a path.

/** Exit codes the scripts use; the files service turns them into errors. */
export const exitCodes = {
  badArgument: 64,
  noRoot: 70,
  noFolder: 71,
  escapes: 72,
  missing: 73,
  exists: 74,
  notFile: 75,
  isLink: 76,
  isFolder: 77,
  noSpace: 78,
  failed: 79,
  mayNotCreate: 80,
  mayNotReplace: 81,
  notFolder: 83,
} as const;

/** One entry as six NUL-terminated fields: name, type (f d l …), size, octal mode, mtime, link target. */
const ENTRY = String.raw`'%f\0%y\0%s\0%m\0%T@\0%l\0'`;

const PRELUDE = String.raw`set -u
export LC_ALL=C
umask 022
unset CDPATH
owner=$1
shift
uid=$(id -u)
fail() { printf '%s\n' "$2" >&2; exit "$1"; }
inside() { case $(pwd -P) in "$root"|"$root"/*) return 0;; esac; return 1; }
exists() { [ -e "./$1" ] || [ -L "./$1" ]; }
give() { [ -z "$owner" ] || [ "$uid" != 0 ] || chown -hR -- "$owner" "$@" 2>/dev/null || true; }
enter() {
  cd -P /data 2>/dev/null || fail 70 'the data directory is missing'
  root=$(pwd -P)
  [ -n "$1" ] || return 0
  set -f
  IFS=/
  for part in $1; do
    unset IFS
    case $part in ''|.|..) fail 64 'bad path';; esac
    if [ "$#" -ge 2 ] && ! exists "$part"; then mkdir -- "./$part" 2>/dev/null && give "./$part"; fi
    cd -P -- "./$part" 2>/dev/null || fail 71 'a folder on the path does not exist'
    inside || fail 72 'the path leads out of the data directory'
  done
  unset IFS
  set +f
}
source_and_destination() {
  enter "$3"
  command exec 3<. || fail 79 'opening the destination failed'
  enter "$1"
  exists "$2" || fail 73 'no such file or folder'
  if [ -e "/proc/self/fd/3/$4" ] || [ -L "/proc/self/fd/3/$4" ]; then fail 74 'the destination already exists'; fi
}
chmod_file() {
  command exec 4<"./$1" 2>/dev/null || return 1
  if [ -L "./$1" ] || ! [ -f /proc/self/fd/4 ] || ! [ /proc/self/fd/4 -ef "./$1" ]; then exec 4<&-; return 1; fi
  chmod -- "$2" /proc/self/fd/4
  rc=$?
  exec 4<&-
  return "$rc"
}
`;

// source_and_destination FROM_DIR FROM_NAME TO_DIR TO_NAME: the working directory is the source's folder,
// descriptor 3 the destination's, the source exists and the destination does not.
// chmod_file NAME MODE: a regular file's mode is changed through a descriptor checked to be that file.
const scripts = {
  /** $1 folder. Every entry of the folder, unsorted. */
  list: String.raw`enter "$1"
exec find -P . -mindepth 1 -maxdepth 1 -printf ${ENTRY}`,

  /** $1 folder, $2 name ('' for the folder itself). */
  stat: String.raw`enter "$1"
[ -n "$2" ] || exec find -P . -maxdepth 0 -printf ${ENTRY}
exists "$2" || fail 73 'no such file or folder'
exec find -P "./$2" -maxdepth 0 -printf ${ENTRY}`,

  /** $1 folder, $2 name, $3 bytes to read at most. A regular file's bytes on stdout, in cat's 128 KiB blocks. */
  read: String.raw`enter "$1"
exists "$2" || fail 73 'no such file or folder'
[ ! -L "./$2" ] || fail 76 'is a symbolic link (links are not followed)'
[ -f "./$2" ] || fail 75 'is not a regular file'
exec dd if="./$2" iflag=nofollow,nonblock,count_bytes count="$3" bs=131072 status=none`,

  /** $1 folder (created if missing), $2 temporary name, $3 bytes expected ('' unknown), $4 bytes to keep free. stdin → the new file. */
  writeTemp: String.raw`enter "$1" mk
if [ -n "$3" ]; then
  free=$(df --output=avail -B1 . | tail -n 1)
  [ "$free" -ge "$(($3 + $4))" ] || fail 78 'not enough free space on the volume'
fi
dd of="./$2" conv=excl oflag=nofollow bs=65536 status=none || { rm -f -- "./$2"; fail 79 'writing the file failed'; }`,

  /**
   * $1 folder, $2 temporary name, $3 name, $4 bytes the file must have, $5 may create (1/0), $6 may replace (1/0).
   * Renames the finished temporary file over the name: atomic, and a link there is replaced, never followed.
   */
  commit: String.raw`dir=$1 tmp=$2 name=$3 size=$4 create=$5 replace=$6
enter "$dir"
drop() { rm -f -- "./$tmp"; fail "$1" "$2"; }
[ ! -L "./$tmp" ] && [ -f "./$tmp" ] || fail 79 'the temporary file is gone'
[ "$(stat -c %s -- "./$tmp")" = "$size" ] || drop 79 'the file was not received whole'
if exists "$name"; then
  [ "$replace" = 1 ] || drop 81 'replacing a file needs the file.update permission'
  if [ -d "./$name" ] && [ ! -L "./$name" ]; then drop 77 'is a folder'; fi
  if [ -f "./$name" ] && [ ! -L "./$name" ]; then chmod_file "$tmp" "$(stat -c %a -- "./$name")" || true; fi
else
  [ "$create" = 1 ] || drop 80 'creating a file needs the file.create permission'
fi
give "./$tmp"
mv -T -f -- "./$tmp" "./$name" || drop 79 'replacing the file failed'
exec find -P "./$name" -maxdepth 0 -printf ${ENTRY}`,

  /** $1 folder, $2 temporary name: removes what an interrupted write left. */
  discard: String.raw`enter "$1"
rm -f -- "./$2"`,

  /** $1 folder (created if missing), $2 name. */
  mkdir: String.raw`enter "$1" mk
! exists "$2" || fail 74 'already exists'
mkdir -- "./$2" || fail 79 'creating the folder failed'
give "./$2"
exec find -P "./$2" -maxdepth 0 -printf ${ENTRY}`,

  /** $1 from folder, $2 from name, $3 to folder, $4 to name. */
  rename: String.raw`source_and_destination "$@"
mv -T -- "./$2" "/proc/self/fd/3/$4" || fail 79 'moving failed'
cd -P /proc/self/fd/3 && inside || fail 72 'the path leads out of the data directory'
exec find -P "./$4" -maxdepth 0 -printf ${ENTRY}`,

  /** $1 from folder, $2 from name, $3 to folder, $4 to name, $5 temporary name. Copied whole, then renamed in. */
  copy: String.raw`source_and_destination "$@"
cp -PR --preserve=mode,timestamps -- "./$2" "/proc/self/fd/3/$5" || { rm -rf -- "/proc/self/fd/3/$5"; fail 79 'copying failed'; }
cd -P /proc/self/fd/3 && inside || fail 72 'the path leads out of the data directory'
give "./$5"
mv -T -- "./$5" "./$4" || { rm -rf -- "./$5"; fail 79 'copying failed'; }
exec find -P "./$4" -maxdepth 0 -printf ${ENTRY}`,

  /** Pairs of ($folder, $name): each removed recursively (rm never follows a link); an exit code per pair on stdout. */
  delete: String.raw`while [ "$#" -ge 2 ]; do
  (
    enter "$1"
    exists "$2" || fail 73 'no such file or folder'
    rm -rf -- "./$2" || fail 79 'deleting failed'
  )
  printf '%s\0' "$?"
  shift 2
done`,

  /** $1 folder, $2 name, $3 octal mode. A folder is entered (and checked) first, then changed as `.`. */
  chmod: String.raw`enter "$1"
exists "$2" || fail 73 'no such file or folder'
[ ! -L "./$2" ] || fail 76 'is a symbolic link (its mode cannot be changed)'
if [ -d "./$2" ]; then
  cd -P -- "./$2" 2>/dev/null || fail 73 'no such file or folder'
  inside || fail 72 'the path leads out of the data directory'
  chmod -- "$3" . || fail 79 'changing the mode failed'
  exec find -P . -maxdepth 0 -printf ${ENTRY}
fi
chmod_file "$2" "$3" || fail 79 'changing the mode failed'
exec find -P "./$2" -maxdepth 0 -printf ${ENTRY}`,

  /** $1 folder, $2 name ('' for the whole data folder). A folder as tar.gz on stdout (tar's 1 is a file that changed as it was read). */
  archiveFolder: String.raw`enter "$1"
name=$2
if [ -z "$name" ]; then
  name=.
else
  exists "$name" || fail 73 'no such file or folder'
  [ ! -L "./$name" ] || fail 76 'is a symbolic link (links are not followed)'
  [ -d "./$name" ] || fail 83 'is not a folder'
fi
tar -czf - --numeric-owner -- "$name"
[ "$?" -le 1 ] || fail 79 'archiving the folder failed'`,

  /**
   * $1 folder of the selection, $2 folder of the archive (created if missing), $3 temporary name, $4 archive name,
   * then the names.
   * tar reads the selection through descriptor 3 and writes the archive beside its final name.
   */
  compress: String.raw`src=$1 dst=$2 tmp=$3 name=$4
shift 4
enter "$src"
for n in "$@"; do exists "$n" || fail 73 'no such file or folder'; done
command exec 3<. || fail 79 'opening the selection failed'
enter "$dst" mk
! exists "$name" || fail 74 'the archive already exists'
tar -czf "./$tmp" --numeric-owner -C /proc/self/fd/3 -- "$@"
[ "$?" -le 1 ] || { rm -f -- "./$tmp"; fail 79 'writing the archive failed'; }
give "./$tmp"
mv -T -- "./$tmp" "./$name" || { rm -f -- "./$tmp"; fail 79 'writing the archive failed'; }
exec find -P "./$name" -maxdepth 0 -printf ${ENTRY}`,

  /**
   * $1 folder (created if missing). stdin: a tar the files service wrote itself after checking every entry
   * (files and folders only, relative names, the owner and modes it chose); a folder entry replaces a link
   * in its place rather than following it.
   */
  extract: String.raw`enter "$1" mk
exec tar -x -f - --no-overwrite-dir --delay-directory-restore`,

  /** Bytes free on the volume. */
  free: String.raw`enter ''
df --output=avail -B1 . | tail -n 1`,
} as const;

export type ScriptName = keyof typeof scripts;

/** The argument vector that runs a script; `owner` is '' when new files keep the exec user's ownership. */
export function scriptCommand(name: ScriptName, owner: string, args: readonly string[]): string[] {
  return ['sh', '-c', `${PRELUDE}${scripts[name]}\n`, 'sh', owner, ...args];
}
