# tuncrypt_jvm_memory ARGS...: the JVM options that keep the process within `--memory SIZE`
# (--memory SIZE, --memory=SIZE, else the memory key of the --config file; the command line
# wins, as in the daemon), printed on one line; nothing when no size is given or it does not
# parse (the daemon then says what is wrong). A quarter of SIZE is the heap cap (-Xmx, whole
# 2 MiB as the JVM aligns it, at least 16 MiB); the direct-memory limit is the rest; the JIT code cache is capped at SIZE/8 within
# 32-64 MiB. The daemon then reserves what the JVM needs besides and gives what is left to the
# connections' buffers (see operations.md, "Memory"). POSIX sh and built-ins only: the
# container image runs this under dash without coreutils.
tuncrypt_jvm_memory() {
  _tm_size= _tm_config=
  while [ $# -gt 0 ]; do
    case $1 in
      --memory) [ $# -gt 1 ] && { _tm_size=$2; shift; } ;;
      --memory=*) _tm_size=${1#--memory=} ;;
      --config) [ $# -gt 1 ] && { _tm_config=$2; shift; } ;;
      --config=*) _tm_config=${1#--config=} ;;
      --) break ;;
    esac
    shift
  done
  if [ -z "$_tm_size" ] && [ -n "$_tm_config" ] && [ -r "$_tm_config" ]; then
    while IFS= read -r _tm_line || [ -n "$_tm_line" ]; do
      _tm_line=${_tm_line%%#*}
      case $_tm_line in *=*) ;; *) continue ;; esac
      _tm_name=${_tm_line%%=*} _tm_value=${_tm_line#*=}
      _tm_name=${_tm_name#"${_tm_name%%[![:space:]]*}"}; _tm_name=${_tm_name%"${_tm_name##*[![:space:]]}"}
      _tm_value=${_tm_value#"${_tm_value%%[![:space:]]*}"}; _tm_value=${_tm_value%"${_tm_value##*[![:space:]]}"}
      [ "$_tm_name" = memory ] && _tm_size=$_tm_value
    done < "$_tm_config"
  fi
  [ -n "$_tm_size" ] || return 0
  _tm_n=$_tm_size _tm_shift=0
  case $_tm_n in *[kKmMgGtT][iI][bB]) _tm_n=${_tm_n%??} ;; *[kKmMgGtT][bB]) _tm_n=${_tm_n%?} ;; esac
  case $_tm_n in
    *[kK]) _tm_shift=10 ;; *[mM]) _tm_shift=20 ;; *[gG]) _tm_shift=30 ;; *[tT]) _tm_shift=40 ;;
  esac
  [ $_tm_shift -gt 0 ] && _tm_n=${_tm_n%?}
  case $_tm_n in ''|*[!0-9]*) return 0 ;; esac
  if [ $_tm_shift -eq 0 ]; then
    [ ${#_tm_n} -le 18 ] || return 0
    _tm_kib=$(( _tm_n >> 10 ))
  else
    [ ${#_tm_n} -le 9 ] || return 0
    _tm_kib=$(( _tm_n << (_tm_shift - 10) ))
  fi
  [ $_tm_kib -ge 1024 ] || return 0
  _tm_heap=$(( _tm_kib / 4 / 2048 * 2048 )); [ $_tm_heap -ge 16384 ] || _tm_heap=16384
  _tm_code=$(( _tm_kib / 8 )); [ $_tm_code -ge 32768 ] || _tm_code=32768; [ $_tm_code -le 65536 ] || _tm_code=65536
  _tm_direct=$(( _tm_kib - _tm_heap )); [ $_tm_direct -ge 1024 ] || _tm_direct=1024
  echo "-Xmx${_tm_heap}k -XX:MaxDirectMemorySize=${_tm_direct}k -XX:ReservedCodeCacheSize=${_tm_code}k"
}
