// Preloaded into Playwright's driver by plexbook (NODE_OPTIONS=--require), which owns the
// run's signals. SIGTERM or SIGHUP sent to the whole process group (a terminal that hangs
// up, `timeout`, a service manager or CI runner stopping the job) would end the driver at
// once, and with it the browser the run needs to stop at a safe point and keep its trace.
// Playwright's driver already leaves SIGINT to its client the same way; it still ends when
// plexbook closes its pipe, however plexbook ends.
if (process.argv.includes("run-driver")) {
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => {});
}
