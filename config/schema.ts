// The stack config as one schema. Each devkube:* key is declared once, as a zod schema that carries its
// type, its rule (with the text that says what is allowed), its default and its description; the parser
// checks the raw values against it, the TypeScript types are inferred from it, and Pulumi.yaml's
// `config:` block is generated from it (npm run config:yaml; a unit test keeps the file in step).
import { z } from "zod";
import YAML from "yaml";

/** One key: a schema with a default, described for `pulumi config` users. */
export type Setting = z.ZodDefault<z.ZodType>;
export type Settings = Readonly<Record<string, Setting>>;
/** What the keys of `S` hold once checked. */
export type Values<S extends Settings> = { readonly [K in keyof S]: z.output<S[K]> };

/** A key Pulumi.yaml explains to whoever edits it (why it is not `secret: true`, say). */
export interface SettingMeta {
    readonly description: string;
    readonly comment?: string;
}

/** The type Pulumi.yaml declares for a key, as its schema's JSON Schema says. */
export function declaredType(setting: Setting): { type: string; items?: { type: string } } {
    const json = z.toJSONSchema(setting) as { type?: string; items?: { type?: string } };
    if (!json.type) {
        throw new Error(`a devkube setting needs a JSON type: ${JSON.stringify(json)}`);
    }
    return json.type === "array" ? { type: "array", items: { type: json.items?.type ?? "string" } } : { type: json.type };
}

/**
 * Pulumi hands the program every value as a string: a string key keeps its text (trimmed), any other is
 * read as JSON. A value that does not read (`maxPods: lots`) stays a string, so the schema refuses it
 * with the key's own message.
 */
export function decode(setting: Setting, text: string): unknown {
    const { type } = declaredType(setting);
    if (type === "string") {
        return text.trim();
    }
    if (type === "integer" && !/^-?[0-9]+$/.test(text.trim())) {
        return text;
    }
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

export interface CheckedSettings<S extends Settings> {
    /** Every key's value: the stack's, or the default; a bad one as written if it is text, else the default. */
    readonly values: Values<S>;
    /** One line per bad key: `devkube:<key>: got "<value>"; <what is allowed>`. */
    readonly problems: string[];
    /** The keys that failed their own rule (rules across keys leave them to that message). */
    readonly bad: ReadonlySet<string>;
}

/** Checks each key against its schema, all at once. */
export function checkSettings<S extends Settings>(settings: S, get: (key: string) => string | undefined): CheckedSettings<S> {
    const values: Record<string, unknown> = {};
    const problems: string[] = [];
    const bad = new Set<string>();
    for (const [key, setting] of Object.entries(settings)) {
        const text = get(key);
        const decoded = text === undefined ? undefined : decode(setting, text);
        const result = setting.safeParse(decoded);
        if (result.success) {
            values[key] = result.data;
            continue;
        }
        const fallback = setting.parse(undefined);
        const issue = result.error.issues[0];
        // A list's bad entry is named by its index, as the user counts entries in the stack file.
        const where = issue.path.map((step) => `[${String(step)}]`).join("");
        const shown =
            issue.path.length > 0
                ? issue.path.reduce<any>((value, step) => value?.[step as keyof typeof value], decoded)
                : typeof fallback === "string" ? (text ?? "").trim() : text;
        // A rule may keep the value out of the message (a private key pasted where a public one goes).
        const concealed = issue.code === "custom" && (issue as { params?: { conceal?: boolean } }).params?.conceal === true;
        problems.push(concealed ? `devkube:${key}${where}: ${issue.message}` : `devkube:${key}${where}: got ${JSON.stringify(shown)}; ${issue.message}`);
        values[key] = typeof fallback === "string" && text !== undefined ? text.trim() : fallback;
        bad.add(key);
    }
    return { values: values as Values<S>, problems, bad };
}

/**
 * Every target's keys beside the common ones, as one set. A key two targets share (kubeContext) is one
 * declaration that both name; two different declarations under one key are a programming error.
 */
export function mergeSettings(...groups: Settings[]): Settings {
    const merged: Record<string, Setting> = {};
    for (const group of groups) {
        for (const [key, setting] of Object.entries(group)) {
            if (merged[key] !== undefined && merged[key] !== setting) {
                throw new Error(`devkube:${key} is declared twice with different schemas; declare it once and share it`);
            }
            merged[key] = setting;
        }
    }
    return merged;
}

/** Pulumi.yaml's `config:` block for these keys: type, description and default of each. */
export function configBlock(settings: Settings): string {
    const doc = new YAML.Document({
        config: Object.fromEntries(
            Object.entries(settings).map(([key, setting]) => {
                const meta = setting.meta() as SettingMeta | undefined;
                if (!meta?.description) {
                    throw new Error(`devkube:${key} has no description`);
                }
                return [`devkube:${key}`, { ...declaredType(setting), description: meta.description, default: setting.parse(undefined) }];
            }),
        ),
    });
    const config = doc.get("config") as YAML.YAMLMap;
    for (const [key, setting] of Object.entries(settings)) {
        const comment = (setting.meta() as SettingMeta | undefined)?.comment;
        if (comment) {
            const pair = config.items.find((item) => (item.key as YAML.Scalar).value === `devkube:${key}`)!;
            (pair.key as YAML.Scalar).commentBefore = comment
                .split("\n")
                .map((line) => ` ${line}`)
                .join("\n");
        }
    }
    doc.commentBefore = " Generated from the settings in config/index.ts and targets/*.ts by `npm run config:yaml`; edit them, not this block.";
    return doc.toString({ lineWidth: 0 });
}

/** Pulumi.yaml with its `config:` block replaced by `block` (everything above it is kept as written). */
export function withConfigBlock(pulumiYaml: string, block: string): string {
    const marker = pulumiYaml.search(/^# Generated from the settings|^config:/m);
    const head = marker < 0 ? pulumiYaml : pulumiYaml.slice(0, marker);
    return `${head.replace(/\n*$/, "\n")}${block}`;
}
