#!/usr/bin/env python3
"""Run a command and record its wall time, CPU time and peak RSS (ru_maxrss of the child).

    measure.py RESULT.json -- COMMAND [ARG...]

Needs nothing beyond Python: the child's rusage comes from os.wait4. Writes
{"wall_s", "user_s", "sys_s", "maxrss_kib", "rc"} to RESULT.json and exits with the
command's status.
"""
import json
import os
import sys
import time


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    result, command = sys.argv[1], sys.argv[3:]
    started = time.monotonic()
    try:
        pid = os.posix_spawnp(command[0], command, os.environ)
    except OSError as error:
        sys.exit("measure.py: cannot run %s: %s" % (command[0], error))
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    rc = os.waitstatus_to_exitcode(status)
    with open(result, "w") as out:
        json.dump({"wall_s": round(wall, 6), "user_s": round(usage.ru_utime, 6), "sys_s": round(usage.ru_stime, 6),
                   "maxrss_kib": usage.ru_maxrss, "rc": rc}, out)
    sys.exit(rc if rc >= 0 else 128 - rc)


if __name__ == "__main__":
    main()
