// The `citycap` command line.
import { Command, CommanderError } from 'commander';
import { dbCommand, ledgerCommand } from './ledger.js';
import { demoCommand } from './demo.js';
import { reportError } from './output.js';
import { calcCommand, programCommand } from './program.js';
import { complianceCommand } from './compliance.js';
import { importCommand } from './import.js';
import { serveCommand } from './serve.js';
import { disclosureCommand } from './disclosure.js';
import { addOpenDataCommands } from './open-data.js';
import { addDataCommands } from './data.js';

const program = new Command('citycap')
  .description('citycap — city cap-and-trade registry, programs and disclosure')
  .showHelpAfterError();
program.addCommand(dbCommand());
program.addCommand(ledgerCommand());
program.addCommand(demoCommand());
program.addCommand(programCommand());
program.addCommand(calcCommand());
program.addCommand(complianceCommand());
program.addCommand(importCommand());
program.addCommand(disclosureCommand());
program.addCommand(serveCommand());
addDataCommands(program);
addOpenDataCommands(program);

// Commands added with addCommand do not inherit exitOverride: set it everywhere so that usage errors exit 2.
const overrideExit = (c: Command): void => {
  c.exitOverride();
  c.commands.forEach(overrideExit);
};
overrideExit(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.exitCode = reportError(error);
  }
}
