// Mocha's spec output, then the plain summary line CI reads: "N passed, N failed" and the wall time.
"use strict";
const Mocha = require("mocha");

class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        const started = Date.now();
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const { passes, failures, pending } = runner.stats;
            process.stdout.on("drain", () => {});
            setImmediate(() => {
                console.log(`suite time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
                console.log(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}`);
            });
        });
    }
}

module.exports = SummaryReporter;
