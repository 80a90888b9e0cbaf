// run.mjs: the board layer's test firmware (firmware-pico/emu, a plain-Pico
// build of board_pico.c and the core's press) under the rp2040js emulator.
// Emulated time only: GP2's press length, the UART both ways, the release
// alarm firing while the main loop hangs, and the watchdog biting after.
//
//   node tests/emu/run.mjs FIRMWARE.uf2 BOOTROM
//
// BOOTROM: the RP2040 B1 boot ROM, a 16 KiB binary or the bootrom.ts of
// the rp2040js repository (Raspberry Pi's ROM; not in this repository).
// Prints "ok - ..." / "not ok - ..." and "N passed, N failed".
import { readFileSync } from 'fs';
import { ConsoleLogger, GPIOPinState, LogLevel, Simulator } from 'rp2040js';

const [uf2Path, romPath] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(name, cond, detail = '') {
  if (cond) { passed++; console.log('ok - ' + name); }
  else { failed++; console.log('not ok - ' + name + ' ' + detail); }
}

function loadRom(path) {
  const raw = readFileSync(path);
  if (path.endsWith('.ts') || path.endsWith('.js')) {
    const words = [...raw.toString().matchAll(/0x([0-9a-fA-F]{8})/g)]
      .map((m) => parseInt(m[1], 16));
    return new Uint32Array(words);
  }
  return new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
}

const sim = new Simulator();
const mcu = sim.rp2040;
mcu.logger = new ConsoleLogger(LogLevel.Error);
const clock = sim.clock;
mcu.loadBootrom(loadRom(romPath));
const uf2 = readFileSync(uf2Path);
for (let off = 0; off + 512 <= uf2.length; off += 512) {
  const addr = uf2.readUInt32LE(off + 12), len = uf2.readUInt32LE(off + 16);
  mcu.flash.set(uf2.subarray(off + 32, off + 32 + len), addr - 0x10000000);
}
mcu.core.PC = 0x10000000;

let uart = '';
mcu.uart[0].onByte = (b) => { uart += String.fromCharCode(b); };
const edges = [];
mcu.gpio[2].addListener((state) => {
  edges.push([clock.nanos / 1e6, state === GPIOPinState.High ? 1 : 0]);
});
let bit = null;
const wdt = Object.values(mcu.peripherals).find((p) => 'onWatchdogTrigger' in p);
// rp2040js does not reset the chip when the watchdog bites (and would call
// this again at the same instant forever): note the time, stop its timer.
wdt.onWatchdogTrigger = () => {
  if (bit === null) bit = clock.nanos / 1e6;
  wdt.alarm.enable = false;
  wdt.timer.enable = false;
};

const now = () => clock.nanos / 1e6;
function run(ms) {
  const end = clock.nanos + ms * 1e6;
  while (clock.nanos < end) {
    if (mcu.core.waiting) {
      const next = clock.nanosToNextAlarm;   // 0: no alarm at all
      clock.tick(next > 0 ? Math.min(next, end - clock.nanos) : end - clock.nanos);
    } else clock.tick(Math.max(mcu.core.executeInstruction(), 1) * 8);
  }
}
function until(text, ms) {
  const end = now() + ms;
  while (!uart.includes(text) && now() < end) run(1);
  return uart.includes(text);
}
function send(s) { for (const c of s) mcu.uart[0].feedByte(c.charCodeAt(0)); }
function pressLen(since) {
  const e = edges.filter(([t]) => t >= since);
  const on = e.find(([, v]) => v === 1), off = e.find(([t, v]) => v === 0 && on && t > on[0]);
  return on && off ? off[0] - on[0] : null;
}

check('boots and reports a power-on reset', until('boot 0\n', 3000), JSON.stringify(uart));
check('GP2 (power button) is released (low) after boot',
  mcu.gpio[2].value === false || mcu.gpio[2].value === 0);
send('ehello pico\n');
check('UART: a line in, its echo out', until('echo hello pico\n', 200), JSON.stringify(uart));

let t0 = now();
send('p300\n');
check('press accepted', until('press 0\n', 200));
run(400);
let len = pressLen(t0);
check(`a 300 ms press is ${len?.toFixed(2)} ms of emulated time`, len !== null && Math.abs(len - 300) < 2);

t0 = now();
uart = '';
send('p10\n');
until('press 0\n', 200);
run(150);
len = pressLen(t0);
check(`a 10 ms press is clamped to 50 ms (${len?.toFixed(2)} ms)`, len !== null && Math.abs(len - 50) < 2);

t0 = now();
uart = '';
send('p400\n');
until('press 0\n', 200);
run(100);
send('h\n');
check('main loop hangs mid-press', until('hang\n', 100));
const hungAt = now();
run(1200);
run(50);
len = pressLen(t0);
check(`hung loop: the alarm still releases the press at ${len?.toFixed(2)} ms (400)`,
  len !== null && Math.abs(len - 400) < 2);
check(`the watchdog (500 ms) bites ${bit === null ? 'never' : (bit - hungAt).toFixed(1) + ' ms'} after the hang`,
  bit !== null && bit - hungAt > 350 && bit - hungAt < 650);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
