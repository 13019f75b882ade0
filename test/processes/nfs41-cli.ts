// The NFSv4.1 client's checks as a command, so they run inside a pod's network namespace
// (`nsenter -n`), on the loopback the server listens on. Prints one JSON line.
import { NFS_PORT } from "../../components/nfs-server";
import { NFS4ERR, Nfs41Client, NfsError } from "./nfs4";

type Step = { op: "write"; path: string; data: string } | { op: "read"; path: string } | { op: "stat"; path: string } | { op: "list"; path: string } |
    { op: "rename"; from: string; to: string } | { op: "remove"; path: string } | { op: "statHandle"; handle: string } |
    { op: "writeAfterGrace"; path: string; data: string; timeoutSeconds: number };

async function main(): Promise<void> {
    const { uid, steps, abandon } = JSON.parse(process.argv[2]) as { uid: number; steps: Step[]; abandon?: boolean };
    const client = await Nfs41Client.connect("127.0.0.1", NFS_PORT, { uid, gid: uid });
    const results: unknown[] = [];
    for (const step of steps) {
        switch (step.op) {
            case "write":
                results.push((await client.writeFile(step.path, step.data)).toString("hex"));
                break;
            case "read":
                results.push((await client.readFile(step.path)).toString());
                break;
            case "stat":
            case "statHandle": {
                const a = step.op === "stat" ? await client.stat(step.path) : await client.statHandle(Buffer.from(step.handle, "hex"));
                results.push({ size: Number(a.size), mode: a.mode, owner: a.owner, group: a.group });
                break;
            }
            case "list":
                results.push(await client.list(step.path));
                break;
            case "rename":
                results.push(await client.rename(step.from, step.to));
                break;
            case "remove":
                results.push(await client.remove(step.path));
                break;
            case "writeAfterGrace": {
                const start = Date.now();
                let refused = 0;
                for (;;) {
                    try {
                        await client.writeFile(step.path, step.data);
                        break;
                    } catch (e) {
                        if (!(e instanceof NfsError && e.status === NFS4ERR.GRACE) || Date.now() - start > step.timeoutSeconds * 1000) {
                            throw e;
                        }
                        refused++;
                        await new Promise((r) => setTimeout(r, 200));
                    }
                }
                results.push({ refused, seconds: (Date.now() - start) / 1000 });
                break;
            }
        }
    }
    if (abandon) {
        client.abandon();
    } else {
        await client.close();
    }
    console.log(JSON.stringify({ results }));
}

main().catch((e) => {
    console.log(JSON.stringify({ error: e instanceof Error ? e.message : String(e), status: e instanceof NfsError ? e.status : undefined }));
    process.exitCode = 1;
});
