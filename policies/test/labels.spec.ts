import * as assert from "assert";
import { workloadNameLabelPolicy } from "../rules/labels";
import { LOCATIONS, T, metadata, workload } from "./fixtures";
import { runResourcePolicy, runResourcePolicyDetailed } from "./util";

describe("devkube-workload-name-label (advisory)", () => {
    for (const kind of LOCATIONS) {
        it(`${kind}: needs metadata.labels["app.kubernetes.io/name"]`, async () => {
            assert.deepStrictEqual(await runResourcePolicy(workloadNameLabelPolicy, workload(kind, "web")), []);
            const v = await runResourcePolicy(workloadNameLabelPolicy, workload(kind, "web", {}, metadata("web", "devkube", { app: "web" })));
            assert.deepStrictEqual(v, [`${kind} devkube/web: metadata.labels["app.kubernetes.io/name"] is missing; set it to the application's name, e.g. "web"`]);
        });
    }

    it("flags an empty label and a workload with no metadata at all (named by its Pulumi name)", async () => {
        assert.strictEqual((await runResourcePolicy(workloadNameLabelPolicy, workload("Deployment", "web", {}, metadata("web", "devkube", { "app.kubernetes.io/name": "" })))).length, 1);
        const w = workload("Deployment", "web");
        delete w.props.metadata;
        assert.match((await runResourcePolicy(workloadNameLabelPolicy, w))[0], /^Deployment web: /);
    });

    it("is not applicable to a ConfigMap", async () => {
        assert.ok((await runResourcePolicyDetailed(workloadNameLabelPolicy, { type: T.configMap, props: { metadata: {} } })).notApplicable !== undefined);
    });
});
