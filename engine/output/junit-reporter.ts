import { writeFileSync } from 'node:fs';
import type { ExecEvent } from '../executor/events.ts';
import { pyJson } from '../py/json.ts';
import { taskLabel } from './task-label.ts';

interface Case {
  name: string;
  classname: string;
  time: number;
  status: string;
  output: string;
}

interface Suite {
  name: string;
  cases: Case[];
}

/**
 * JunitCollector turns host results into JUnit XML: one testsuite per play, one testcase per
 * task and host (as Ansible's junit callback does), failures and unreachables as <failure>.
 */
export class JunitCollector {
  private readonly suites: Suite[] = [];
  private playbook = '';

  /** onEvent records what the XML needs. */
  onEvent(e: ExecEvent): void {
    if (e.type === 'playbook-start') this.playbook = e.file;
    else if (e.type === 'play-start') this.suites.push({ name: e.name, cases: [] });
    else if (e.type === 'host-result') {
      if (this.suites.length === 0) this.suites.push({ name: '', cases: [] });
      const suite = this.suites[this.suites.length - 1] as Suite;
      suite.cases.push({
        name: `[${e.host}] ${taskLabel(e.task)}`,
        classname: this.playbook || e.task.pos.file,
        time: e.durationMs / 1000,
        status: e.status,
        output: pyJson(e.result ?? { msg: e.msg ?? '' }, { sortKeys: true }),
      });
    }
  }

  /** toXml renders the collected suites (the XML library is loaded only when a report is asked for). */
  async toXml(): Promise<string> {
    const { XMLBuilder } = await import('fast-xml-parser');
    const suites = this.suites.map((s) => {
      const failures = s.cases.filter((c) => c.status === 'failed' || c.status === 'unreachable').length;
      const skipped = s.cases.filter((c) => c.status === 'skipped').length;
      return {
        '@_name': s.name,
        '@_tests': s.cases.length,
        '@_failures': failures,
        '@_errors': 0,
        '@_skipped': skipped,
        '@_time': s.cases.reduce((a, c) => a + c.time, 0).toFixed(3),
        testcase: s.cases.map((c) => {
          const tc: Record<string, unknown> = { '@_name': c.name, '@_classname': c.classname, '@_time': c.time.toFixed(3) };
          if (c.status === 'failed' || c.status === 'unreachable') tc['failure'] = { '@_message': c.status, '@_type': c.status, '#text': c.output };
          else if (c.status === 'skipped') tc['skipped'] = { '@_message': c.output };
          else tc['system-out'] = c.output;
          return tc;
        }),
      };
    });
    const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
    return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ testsuites: { testsuite: suites } }) as string}`;
  }

  /** writeTo writes the XML file. */
  async writeTo(file: string): Promise<void> {
    writeFileSync(file, await this.toXml());
  }
}
