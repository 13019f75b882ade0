// When the Pulumi CLI itself is missing: the project's npm launcher (the `pulumi` package) looks for the
// CLI of its own version under $PULUMI_HOME/versions/<version>/bin and downloads it from get.pulumi.com
// when it is not there; if that fails it prints one line, "pulumi: <reason>" (e.g. "fetch failed"),
// which says nothing of what is missing. This turns that line into one that does.
// Usage (stack.sh): <the launcher's stderr> | tsx scripts/pulumi-cli.ts explain   (prints the hint, exit 0; exit 1 if it is not that)
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

/** The CLI version the launcher wants (its own package version, unless PULUMI_VERSION says otherwise). */
export function launcherVersion(root = ROOT, env: NodeJS.ProcessEnv = process.env): string {
    return env.PULUMI_VERSION ?? JSON.parse(fs.readFileSync(path.join(root, "node_modules", "pulumi", "package.json"), "utf8")).version;
}

/** A plain sentence when `output` is the launcher failing to provide the CLI; undefined for anything else. */
export function cliMissing(output: string, root = ROOT, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const line = output.split("\n").find((l) => l.startsWith("pulumi: ") && !l.startsWith("pulumi: failed to start"));
    if (!line) {
        return undefined;
    }
    const version = launcherVersion(root, env);
    const dir = path.join(env.PULUMI_HOME || path.join(os.homedir(), ".pulumi"), "versions", version, "bin");
    return (
        `the Pulumi CLI ${version} is not installed: the npm package "pulumi" looked for it in ${dir} and could not ` +
        `download it from get.pulumi.com (${line.slice("pulumi: ".length)}). Install Pulumi ${version} into that folder ` +
        `(https://www.pulumi.com/docs/iac/download-install/), or run where get.pulumi.com can be reached; nothing was changed`
    );
}

if (require.main === module && process.argv[2] === "explain") {
    const hint = cliMissing(fs.readFileSync(0, "utf8"));
    if (hint) {
        console.log(hint);
    }
    process.exit(hint ? 0 : 1);
}
