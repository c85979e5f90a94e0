"""A real Odoo server for the process tests (scripts/process_tests/*.py), in prefork
mode on the test database copy (AR_TEST_DB, ODOO_RC), in its own process group."""
import os
import signal
import subprocess
import sys


def start_server(work, extra_args=(), env=None, log_level="warn", preload=True, workers=2):
    """The server, its port and log file. ``preload=False``: the registry is loaded by
    each worker on its first request (not by the master before it forks), so that
    each worker's connections carry its own pid (application_name odoo-PID)."""
    check_gevent()
    port = free_port()
    gevent_port = free_port(exclude={port})
    logfile = os.path.join(work, "odoo.log")
    # Odoo's own odoo-bin: the prefork server re-runs sys.argv[0] for its gevent process
    launcher = os.path.join(work, "odoo-bin")
    with open(launcher, "w") as fh:
        fh.write("import os\nos.environ['TZ'] = 'UTC'\nimport odoo\nodoo.cli.main()\n")
    command = [
        sys.executable, launcher, "-c", os.environ["ODOO_RC"],
        "-d", os.environ["AR_TEST_DB"] if preload else "",
        f"--db-filter=^{os.environ['AR_TEST_DB']}$", f"--workers={workers}", "--max-cron-threads=0",
        "--http-interface=127.0.0.1", f"--http-port={port}", f"--gevent-port={gevent_port}",
        "--limit-time-real=300", "--limit-time-cpu=300", f"--logfile={logfile}",
        f"--log-level={log_level}", "--log-handler=odoo.service.model:INFO", *extra_args,
    ]
    with open(os.path.join(work, "server.out"), "w") as out:
        server = subprocess.Popen(command, cwd="/", env=dict(os.environ, **(env or {})), stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    return server, port, logfile


def check_gevent():
    """The prefork server starts a gevent process (Odoo's long polling) and starts it
    again as soon as it dies: when gevent cannot patch (its plugins are loaded through
    setuptools' pkg_resources, which before setuptools 70 does not find distributions
    installed under normalized names, such as zope_interface 7+), that process dies at
    once, again and again, and takes a core from the workers. Refuse to start then."""
    probe = subprocess.run(
        [sys.executable, "-c", "import gevent.monkey; gevent.monkey.patch_all()"],
        capture_output=True, text=True, check=False)
    if probe.returncode:
        raise RuntimeError(
            "gevent cannot patch in this Python, so Odoo's prefork server would restart "
            "its gevent process without end: " + probe.stderr.strip().splitlines()[-1]
            + "\n  With a DistributionNotFound above, upgrade setuptools: "
            "pip install 'setuptools>=70,<76'")


def free_port(exclude=()):
    import socket

    for port in range(18069, 19069):
        if port in exclude:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def stop_server(server):
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass
