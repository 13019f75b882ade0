// The awake schedule (devkube:awakeSchedule) and its time zone (devkube:timeZone), read once for the
// cost figures (targets/cost.ts) and the scheduled workflow's check (scripts/schedule.ts).

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export interface AwakeSchedule {
    readonly text: string;
    /** 0 = Monday. */
    readonly days: number[];
    readonly startMinute: number;
    readonly endMinute: number;
}

/**
 * "mon-fri 08:00-19:00", "mon,wed,fri 09:00-17:30", "sat-sun 10:00-14:00" or "always".
 * Returns undefined for anything else.
 */
export function parseSchedule(text: string): AwakeSchedule | undefined {
    if (text === "always") {
        return { text, days: [0, 1, 2, 3, 4, 5, 6], startMinute: 0, endMinute: 24 * 60 };
    }
    const match = /^([a-z,-]+) ([0-2][0-9]):([0-5][0-9])-([0-2][0-9]):([0-5][0-9])$/.exec(text);
    if (!match) {
        return undefined;
    }
    const days = new Set<number>();
    for (const part of match[1].split(",")) {
        const [from, to] = part.split("-").map((d) => DAYS.indexOf(d));
        if (from < 0 || (part.includes("-") && (to === undefined || to < from))) {
            return undefined;
        }
        for (let d = from; d <= (part.includes("-") ? to : from); d++) {
            days.add(d);
        }
    }
    const startMinute = Number(match[2]) * 60 + Number(match[3]);
    const endMinute = Number(match[4]) * 60 + Number(match[5]);
    if (endMinute > 24 * 60 || startMinute >= endMinute) {
        return undefined;
    }
    return { text, days: [...days].sort(), startMinute, endMinute };
}

/** Whether `name` is an IANA time zone (Europe/Berlin, America/New_York, UTC) this Node.js knows. */
export function isTimeZone(name: string): boolean {
    if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(name)) {
        return false;
    }
    try {
        new Intl.DateTimeFormat("en", { timeZone: name });
        return true;
    } catch {
        return false;
    }
}
