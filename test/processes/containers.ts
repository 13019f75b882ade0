// Every container devkube defines, read from the program under the mocks harness for each stack and
// worked example: the container as registered, its pod spec, and the ConfigMaps and Secrets it reads.
import { IMAGES } from "../../components/images";
import { SSH_CONTAINER } from "../../components/ssh";
import { RESTART_ON_CHANGE } from "../../components/app";
import { presetEntry } from "../../config/presets";
import { ProgramRun, STACK_RUNS, fakeSecret, ofType, plain, podSpecs, runFixture, runProgram, stackConfigValues } from "../harness";
import { Container, NamespaceData } from "./kubelet";
import { clientKey } from "./ssh-key";

export interface DefinedContainer {
    /** Which stack or example registered it. */
    readonly run: string;
    /** Kind/name of the workload. */
    readonly workload: string;
    readonly init: boolean;
    readonly container: Container;
    readonly pod: Record<string, any>;
    readonly data: NamespaceData;
    /** What devkube made this container for, or why it is not devkube's to run. */
    readonly role: Role;
}

export type Role = "nfs-server" | "own-export" | "web" | "editor" | "ssh" | "ide" | "postgres" | "redis" | "restart-on-change" | "user";

/** The runs the process suite reads: every committed stack, the IDE switched on, and the worked examples. */
export const RUNS: Record<string, () => Promise<ProgramRun>> = {
    ...STACK_RUNS,
    "minikube with SSH": () => runProgram("minikube", { ...stackConfigValues("minikube"), "devkube:ssh": JSON.stringify([clientKey().publicKey]) }),
    "minikube with the IDE": () =>
        runProgram(
            "minikube",
            { ...stackConfigValues("minikube"), "devkube:ide": "true", "devkube:idePassword": fakeSecret("idePassword") },
            { secretKeys: ["devkube:idePassword"] },
        ),
    "express example": () => runFixture("express.yaml"),
    "multi-service example": () => runFixture("multi-service.yaml"),
    "conduit example": () => runFixture("conduit.yaml"),
};

function roleOf(workloadName: string, c: Container, init: boolean): Role {
    if (workloadName === "nfs-server") {
        return init ? "own-export" : "nfs-server";
    }
    if (c.image === IMAGES.web && workloadName === "web") {
        return "web";
    }
    if (c.image === IMAGES.editor && workloadName === "editor") {
        return "editor";
    }
    if (c.image === IMAGES.ssh && workloadName === "editor" && c.name === SSH_CONTAINER) {
        return "ssh";
    }
    if (c.image === IMAGES.ide && workloadName === "ide") {
        return "ide";
    }
    if (c.image === presetEntry("postgres", "").image) {
        return "postgres";
    }
    if (c.image === presetEntry("redis", "").image) {
        return "redis";
    }
    if (c.command?.[2] === RESTART_ON_CHANGE) {
        return "restart-on-change";
    }
    return "user";
}

export function namespaceData(run: ProgramRun): NamespaceData {
    const configMaps: Record<string, Record<string, string>> = {};
    const secrets: Record<string, Record<string, string>> = {};
    for (const r of ofType(run, "kubernetes:core/v1:ConfigMap")) {
        configMaps[r.state.metadata.name] = plain(r.inputs.data ?? {});
    }
    for (const r of ofType(run, "kubernetes:core/v1:Secret")) {
        secrets[r.state.metadata.name] = plain(r.inputs.stringData ?? {});
    }
    return { configMaps, secrets };
}

export async function definedContainers(): Promise<DefinedContainer[]> {
    const all: DefinedContainer[] = [];
    for (const [label, load] of Object.entries(RUNS)) {
        const run = await load();
        const data = namespaceData(run);
        for (const { workload, spec } of podSpecs(run)) {
            const name = workload.inputs.metadata?.name ?? workload.name;
            const pod = plain(spec);
            for (const [init, list] of [
                [true, pod.initContainers ?? []],
                [false, pod.containers ?? []],
            ] as const) {
                for (const container of list) {
                    all.push({
                        run: label,
                        workload: `${workload.type.split(":").pop()}/${name}`,
                        init,
                        container,
                        pod,
                        data,
                        role: roleOf(name, container, init),
                    });
                }
            }
        }
    }
    return all;
}
