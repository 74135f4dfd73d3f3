// `citycap import eu-ets --dir DIR`: the real EU ETS phase-3 data as an allocation-program jurisdiction.
import { Command } from 'commander';
import { importEuEts, type ImportStage } from '../app/import-eu-ets.js';
import { Registry } from '../app/registry.js';
import { withDatabase } from './context.js';
import { toJson } from './output.js';

const STAGE_LABEL: Record<ImportStage, string> = {
  parse: 'reading and checking the CSV files',
  facilities: 'facilities, accounts and reports',
  reports: 'facilities, accounts and reports',
  allocation: 'issuing free allocation',
};

export function importCommand(): Command {
  const command = new Command('import').description('import real program data');
  command
    .command('eu-ets')
    .description('EU ETS phase 3 (EUTL): installations, free allocation issued as units, verified emissions as accepted reports')
    .requiredOption('--dir <dir>', 'directory with installation.csv and compliance.csv (e.g. fixtures/eu-ets-phase3)')
    .option('--db <url>', 'sqlite:PATH or postgres://… (default: $CITYCAP_DB or sqlite:./data/citycap.db)')
    .option('--json', 'print the summary as JSON')
    .action(async (o: { dir: string; db?: string; json?: boolean }) => {
      const tty = process.stderr.isTTY && o.json !== true;
      let shown = '';
      const summary = await withDatabase(o.db, (db) =>
        importEuEts(new Registry(db), {
          dir: o.dir,
          onProgress: (stage, done, total) => {
            if (!tty) return;
            const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
            const line = `${STAGE_LABEL[stage]}: ${pct}% (${done}/${total})`;
            if (line !== shown) {
              process.stderr.write(`\r\x1b[K${line}`);
              shown = line;
            }
          },
        }),
      );
      if (tty) process.stderr.write('\r\x1b[K');
      if (o.json === true) {
        console.log(toJson(summary));
        return;
      }
      const s = summary;
      if (!s.changed) {
        console.log(
          `${s.jurisdictionCode}: nothing changed — all ${s.installations} installations, ${s.allocations} allocations and ${s.reports} reports were already imported (${s.seconds.toFixed(1)} s)`,
        );
        return;
      }
      console.log(
        `${s.jurisdictionCode}: ${s.installations} installations (${s.facilitiesCreated} new), ` +
          `${s.allocationsIssued} allocations issued (${s.allocationIssuedT} t; ${s.allocations - s.allocationsIssued} already there), ` +
          `${s.reportsCreated} reports accepted (${s.reports - s.reportsCreated} already there) in ${s.seconds.toFixed(1)} s`,
      );
    });
  return command;
}
