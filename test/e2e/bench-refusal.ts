// Benchmark (a script, not a test): how long `npm run preview` takes to refuse a stack whose config has
// a typo, with the real Pulumi CLI and the policy pack, from the command to its last line. No cluster is
// needed: the program stops before registering anything. Run through `npm run bench:refusal`.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT, initStack, median, prepareProject, run } from "./lib";

const RUNS = Number(process.env.DEVKUBE_BENCH_RUNS ?? "3");
const STACK = "refusal";

prepareProject();
fs.copyFileSync(path.join(PROJECT, "Pulumi.minikube.yaml"), path.join(PROJECT, `Pulumi.${STACK}.yaml`));
fs.copyFileSync(path.join(PROJECT, "policies", "config", "minikube.json"), path.join(PROJECT, "policies", "config", `${STACK}.json`));
initStack(STACK, { "devkube:workspaceSzie": "20Gi" });
const seconds: number[] = [];
let said = "";
for (let i = 0; i < RUNS; i++) {
    const result = run("bash", ["scripts/stack.sh", "preview", STACK]);
    if (result.code === 0 || !/did you mean devkube:workspaceSize/.test(result.stdout + result.stderr)) {
        throw new Error(`expected the typo to be refused:\n${result.stdout}\n${result.stderr}`);
    }
    said = (result.stdout + result.stderr).split("\n").find((l) => l.includes("workspaceSzie")) ?? "";
    seconds.push(result.seconds);
}
console.log(`bad config refused by npm run preview (devkube:workspaceSzie), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, node ${process.version}`);
console.log(`  runs: ${seconds.map((s) => s.toFixed(1)).join(", ")} s; median ${median(seconds).toFixed(1)} s`);
console.log(`  said: ${said.trim()}`);
