import * as assert from "assert";
import { imagePinProblem, imageTagPolicy, parseImageReference } from "../rules/images";
import { LOCATIONS, T, container, withContainer } from "./fixtures";
import { runResourcePolicy, runResourcePolicyDetailed } from "./util";

const DIGEST = "sha256:" + "a".repeat(64);

describe("devkube-image-tag", () => {
    it("parses host:port/repo:tag references", () => {
        assert.deepStrictEqual(parseImageReference("localhost:5000/app"), { repository: "localhost:5000/app", tag: undefined, digest: undefined });
        assert.deepStrictEqual(parseImageReference("localhost:5000/app:1.0"), { repository: "localhost:5000/app", tag: "1.0", digest: undefined });
        assert.deepStrictEqual(parseImageReference("registry.k8s.io/sig-storage/nfs-provisioner:v4.0.8"), {
            repository: "registry.k8s.io/sig-storage/nfs-provisioner",
            tag: "v4.0.8",
            digest: undefined,
        });
        assert.deepStrictEqual(parseImageReference(`nginx:1.27@${DIGEST}`), { repository: "nginx", tag: "1.27", digest: DIGEST });
    });

    const cases: [string, RegExp | undefined][] = [
        ["nginx:1.27.3", undefined],
        ["registry.k8s.io/sig-storage/nfs-provisioner:v4.0.8", undefined],
        ["localhost:5000/app:dev-2024", undefined],
        [`nginx@${DIGEST}`, undefined],
        [`localhost:5000/app@${DIGEST}`, undefined],
        [`nginx:latest@${DIGEST}`, undefined],
        ["nginx", /has no tag \(it would pull "latest"\); pin a version, e.g. "nginx:1.2.3"/],
        ["localhost:5000/app", /"localhost:5000\/app" has no tag/],
        ["nginx:latest", /uses the tag "latest"/],
        ["docker.io/library/nginx:latest", /uses the tag "latest"/],
        ["nginx:", /invalid tag ""/],
        ["nginx@sha256:abc", /malformed digest/],
        ["", /has no image/],
    ];
    for (const [image, problem] of cases) {
        it(`${JSON.stringify(image)} ${problem ? "is flagged" : "passes"}`, () => {
            const p = imagePinProblem(image);
            if (problem === undefined) {
                assert.strictEqual(p, undefined);
            } else {
                assert.match(p ?? "", problem);
            }
        });
    }

    for (const kind of LOCATIONS) {
        for (const list of ["containers", "initContainers"] as const) {
            it(`${kind} ${list}: flags an unpinned image with the container and value`, async () => {
                const v = await runResourcePolicy(imageTagPolicy, withContainer(kind, list, container("c", { image: "busybox" })));
                const who = list === "containers" ? "container" : "initContainer";
                assert.deepStrictEqual(v.map((m) => m.split(";")[0]), [`${who} "c" in ${kind} devkube/app: image "busybox" has no tag (it would pull "latest")`]);
                assert.deepStrictEqual(await runResourcePolicy(imageTagPolicy, withContainer(kind, list, container("c"))), []);
            });
        }
    }

    it("flags a container without an image", async () => {
        const v = await runResourcePolicy(imageTagPolicy, withContainer("Deployment", "containers", container("c", { image: undefined })));
        assert.match(v[0], /container "c" in Deployment devkube\/app: has no image/);
    });

    it("is not applicable to a Service", async () => {
        const r = await runResourcePolicyDetailed(imageTagPolicy, { type: T.service, props: { spec: {} } });
        assert.ok(r.notApplicable !== undefined);
    });
});
