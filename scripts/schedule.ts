// The scheduled workflow (.github/workflows/night-cycle.yml) against the stack it runs: its cron lines
// must be the stack's devkube:awakeSchedule in its devkube:timeZone, the one place both the cost
// figures (costMonthly) and the schedule read them; and GitHub must not have switched it off.
// Usage (the workflow's last steps):
//   tsx scripts/schedule.ts check <stack>   exit 1, with the lines to write, when they differ
//   tsx scripts/schedule.ts activity        exit 1 in the last week before GitHub disables the schedule
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { AwakeSchedule, isTimeZone, parseSchedule } from "../config/schedule";
import { stackSetting } from "./stack-file";

export interface ScheduleEntry {
    readonly cron: string;
    readonly timezone: string;
    readonly verb: "wake" | "sleep";
}

export interface ExpectedSchedule {
    readonly stack: string;
    readonly text: string;
    readonly timeZone: string;
    /** Wake then sleep; empty for "always"; undefined when the stack's values are not valid. */
    readonly entries?: ScheduleEntry[];
}

/** Cron's day numbers (0 = Sunday) for devkube's (0 = Monday), runs of three or more as ranges. */
function cronDays(days: number[]): string {
    const numbers = [...new Set(days.map((d) => (d + 1) % 7))].sort((a, b) => a - b);
    const parts: string[] = [];
    for (let i = 0; i < numbers.length; ) {
        let j = i;
        while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) {
            j++;
        }
        parts.push(j - i >= 2 ? `${numbers[i]}-${numbers[j]}` : numbers.slice(i, j + 1).join(","));
        i = j + 1;
    }
    return numbers.length === 7 ? "*" : parts.join(",");
}

/** A wake at the schedule's start and a sleep at its end, on its days. */
export function cronEntries(schedule: AwakeSchedule, timeZone: string): ScheduleEntry[] {
    if (schedule.text === "always") {
        return [];
    }
    const at = (minute: number) => `${minute % 60} ${Math.floor(minute / 60)} * * ${cronDays(schedule.days)}`;
    return [
        { cron: at(schedule.startMinute), timezone: timeZone, verb: "wake" },
        // 24:00 ends the day: sleep at midnight of the next day is not one cron line; sleep at 23:59.
        { cron: at(Math.min(schedule.endMinute, 24 * 60 - 1)), timezone: timeZone, verb: "sleep" },
    ];
}

/** What the workflow should say for a stack, from its files (and `overrides`, full keys). */
export function expectedSchedule(root: string, stack: string, overrides: Record<string, string> = {}): ExpectedSchedule {
    const setting = (key: string) => String(overrides[key] ?? stackSetting(root, stack, key) ?? "");
    const text = setting("devkube:awakeSchedule");
    const timeZone = setting("devkube:timeZone");
    const schedule = parseSchedule(text);
    return { stack, text, timeZone, entries: schedule && isTimeZone(timeZone) ? cronEntries(schedule, timeZone) : undefined };
}

/** Why the workflow does not run the stack's schedule; empty when it does. */
export function scheduleProblems(workflow: any, expected: ExpectedSchedule): string[] {
    const of = `stack ${expected.stack}'s devkube:awakeSchedule ${JSON.stringify(expected.text)} in devkube:timeZone ${JSON.stringify(expected.timeZone)}`;
    if (!expected.entries) {
        return [`${of} is not a valid schedule and time zone (npm run preview -- ${expected.stack} says why)`];
    }
    const actual = (workflow?.on?.schedule ?? []).map((e: any) => ({ cron: e.cron, timezone: e.timezone ?? "UTC" }));
    if (expected.entries.length === 0) {
        return actual.length === 0 ? [] : [`${of} is "always": remove the schedule from the workflow (it would put an always-on stack to sleep)`];
    }
    const [wake] = expected.entries;
    const choose = (workflow?.jobs?.cycle?.steps ?? []).find((s: any) => s.name === "Choose sleep or wake")?.run ?? "";
    const same = JSON.stringify(actual) === JSON.stringify(expected.entries.map(({ cron, timezone }) => ({ cron, timezone })));
    if (same && choose.includes(`"$EVENT_SCHEDULE" = "${wake.cron}"`)) {
        return [];
    }
    return [
        `the workflow's schedule ${JSON.stringify(actual)} does not match ${of}; write in .github/workflows/night-cycle.yml:\n` +
            "  schedule:\n" +
            expected.entries.map((e) => `    - cron: "${e.cron}"\n      timezone: ${e.timezone}   # ${e.verb}`).join("\n") +
            `\nand in the step "Choose sleep or wake": elif [ "$EVENT_SCHEDULE" = "${wake.cron}" ]; then verb="wake"`,
    ];
}

const DAY = 24 * 3600;

/**
 * GitHub disables a public repository's scheduled workflows after 60 days without activity, silently:
 * a warning from day 45, and a failed run (which GitHub mails) in the last week.
 */
export function inactivity(lastCommit: number, now: number): { level: "ok" | "warning" | "error"; message: string } {
    const days = Math.floor((now - lastCommit) / DAY);
    const off = new Date((lastCommit + 60 * DAY) * 1000).toISOString().slice(0, 10);
    const message =
        `no commit for ${days} days: GitHub disables the schedule of a public repository after 60 days without activity, on ${off}; ` +
        "push a commit, or re-enable the workflow in the Actions tab when it says it was disabled";
    if (days >= 53) {
        return { level: "error", message };
    }
    return days >= 45 ? { level: "warning", message } : { level: "ok", message: `last commit ${days} day${days === 1 ? "" : "s"} ago` };
}

if (require.main === module) {
    const root = path.resolve(__dirname, "..");
    const [verb, stack] = process.argv.slice(2);
    if (verb === "check" && stack) {
        const workflow = YAML.parse(fs.readFileSync(path.join(root, ".github", "workflows", "night-cycle.yml"), "utf8"));
        const expected = expectedSchedule(root, stack);
        const problems = scheduleProblems(workflow, expected);
        for (const problem of problems) {
            console.log(`::error::${problem.split("\n")[0]}`);
            console.log(problem);
        }
        if (problems.length === 0) {
            console.log(`schedule: the workflow matches stack ${stack}'s devkube:awakeSchedule ${JSON.stringify(expected.text)} in devkube:timeZone ${JSON.stringify(expected.timeZone)}`);
        }
        process.exit(problems.length === 0 ? 0 : 1);
    } else if (verb === "activity") {
        const log = spawnSync("git", ["log", "-1", "--format=%ct"], { cwd: root, encoding: "utf8" });
        const lastCommit = Number(log.stdout.trim());
        if (log.status !== 0 || !Number.isFinite(lastCommit) || lastCommit === 0) {
            console.log(`::warning::cannot read the last commit's date (git log: ${log.stderr.trim()})`);
            process.exit(0);
        }
        const { level, message } = inactivity(lastCommit, Date.now() / 1000);
        console.log(level === "ok" ? `schedule: ${message}` : `::${level}::${message}`);
        process.exit(level === "error" ? 1 : 0);
    } else {
        console.error("usage: tsx scripts/schedule.ts check <stack>   or   tsx scripts/schedule.ts activity");
        process.exit(2);
    }
}
