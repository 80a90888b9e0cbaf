// run.mjs: the node's board layer under the rp2040js emulator, in emulated
// time, seeing what hardware would:
//  - the test firmware (firmware-pico/emu: board_pico.c, settings.c, boot.c
//    and the core's press on a plain Pico): presses, UART, the release
//    alarm while the loop hangs, the watchdog; the sense input's pull with
//    nothing driving it and with an open-collector (or open-emitter)
//    optocoupler; a settings save while a press is held, with the flash's
//    erase time modelled (the SSI commands the boot ROM sends); the
//    outputs' levels from reset through UART and settings init for both
//    polarities and for a stored record whose power pin is the UART's TX;
//  - the real pico_w image (optional third argument): outputs released
//    within 1 ms of reset, the watchdog armed before the radio is touched,
//    and a hang in the radio's start (its bus DMA made to stall) recovered
//    by the watchdog.  rp2040js has no WiFi chip: the image stops there.
//
//   node tests/emu/run.mjs EMU.uf2 BOOTROM [PICO_W.uf2]
//
// BOOTROM: the RP2040 B1 boot ROM, a 16 KiB binary or the bootrom.ts of
// the rp2040js repository (Raspberry Pi's ROM; not in this repository).
// Prints "ok - ..." / "not ok - ..." and "N passed, N failed".
import { readFileSync } from 'fs';
import { ConsoleLogger, GPIOPinState, LogLevel, Simulator } from 'rp2040js';

const [uf2Path, romPath, wPath] = process.argv.slice(2);
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
const ROM = loadRom(romPath);
const FLASH_SIZE = 2 * 1024 * 1024;
const T_SECTOR_ERASE_MS = 400;   // W25Q16JV tSE max (typ. 45)
const T_PAGE_PROGRAM_MS = 3;     // tPP max (typ. 0.4)

// A fresh chip: the image (or a whole flash) loaded, the boot ROM run.
function chip({ uf2, flash }) {
  const sim = new Simulator();
  const mcu = sim.rp2040;
  mcu.logger = new ConsoleLogger(LogLevel.Error);
  mcu.loadBootrom(ROM);
  if (flash) mcu.flash.set(flash);
  else {
    mcu.flash.fill(0xff);
    for (let off = 0; off + 512 <= uf2.length; off += 512) {
      const addr = uf2.readUInt32LE(off + 12), len = uf2.readUInt32LE(off + 16);
      mcu.flash.set(uf2.subarray(off + 32, off + 32 + len), addr - 0x10000000);
    }
  }
  mcu.core.PC = 0x10000000;
  const c = { sim, mcu, clock: sim.clock, uart: '', levels: {}, bit: null,
    hooks: [] };
  c.now = () => c.clock.nanos / 1e6;
  mcu.uart[0].onByte = (b) => { c.uart += String.fromCharCode(b); };
  // Electrical level of a pin: driven high/low, the UART's TX (idle high),
  // or undriven ('Z': the wiring's own resistor decides).
  c.level = (p) => {
    const g = mcu.gpio[p];
    if (g.functionSelect === 2 && p % 4 === 0) return 'H';
    if (g.outputEnable) return g.outputValue ? 'H' : 'L';
    return 'Z';
  };
  for (let p = 0; p < 5; p++) {
    c.levels[p] = [[0, 'Z']];
    mcu.gpio[p].addListener(() => {
      const l = c.level(p), v = c.levels[p];
      if (v[v.length - 1][1] !== l) v.push([c.now(), l]);
    });
  }
  const wdt = Object.values(mcu.peripherals).find((p) => 'onWatchdogTrigger' in p);
  c.wdt = wdt;
  // rp2040js does not reset the chip when the watchdog bites (and would
  // call this again at the same instant forever): note the time, stop it.
  wdt.onWatchdogTrigger = () => {
    if (c.bit === null) c.bit = c.now();
    wdt.alarm.enable = false;
    wdt.timer.enable = false;
  };
  flashModel(c);
  return c;
}

// The flash's erase and program times.  rp2040js has no flash chip (its
// SSI answers every status read "ready", and its IO_QSPI reads make the
// boot ROM's flash routines think they were aborted), so the boot ROM's
// own entry points are taken over: _flash_range_erase and
// _flash_range_program ('R','E' and 'R','P' in its function table) change
// the flash and take their datasheet time, in emulated time, with the CPU
// in the ROM meanwhile: an interrupt that is off stays off.
function romFunc(mcu, name) {
  const want = name.charCodeAt(0) | (name.charCodeAt(1) << 8);
  for (let p = mcu.readUint16(0x14); ; p += 4) {
    const code = mcu.readUint16(p);
    if (code === 0) return null;
    if (code === want) return mcu.readUint16(p + 2) & ~1;
  }
}
function flashModel(c) {
  const { mcu, clock } = c;
  c.flashOps = [];
  const ret = () => { mcu.core.PC = mcu.core.registers[14] & ~1; };
  const stall = (ms) => { clock.tick(ms * 1e6); };
  c.romHooks = new Map([
    [romFunc(mcu, 'RE'), () => {
      const [addr, count] = mcu.core.registers;
      c.flashOps.push(['erase', c.now(), addr, count]);
      mcu.flash.fill(0xff, addr, addr + count);
      stall(T_SECTOR_ERASE_MS * Math.ceil(count / 4096));
      ret();
    }],
    [romFunc(mcu, 'RP'), () => {
      const [addr, data, count] = mcu.core.registers;
      c.flashOps.push(['program', c.now(), addr, count]);
      for (let i = 0; i < count; i++)
        mcu.flash[addr + i] &= mcu.readUint8(data + i);
      stall(T_PAGE_PROGRAM_MS * Math.ceil(count / 256));
      ret();
    }],
  ]);
}

function run(c, ms) {
  const end = c.clock.nanos + ms * 1e6;
  const { mcu, clock } = c;
  while (clock.nanos < end) {
    for (const h of c.hooks) h();
    if (mcu.core.waiting) {
      const next = clock.nanosToNextAlarm;   // 0: no alarm at all
      clock.tick(Math.min(next > 0 ? next : 1e6, end - clock.nanos, 20000));
    } else {
      for (let i = 0; i < 64 && !mcu.core.waiting; i++) {
        const hook = c.romHooks.get(mcu.core.PC);
        if (hook) hook();
        else clock.tick(Math.max(mcu.core.executeInstruction(), 1) * 8);
      }
    }
  }
}
function until(c, text, ms) {
  const end = c.now() + ms;
  while (!c.uart.includes(text) && c.now() < end) run(c, 1);
  return c.uart.includes(text);
}
function send(c, s) { for (const ch of s) c.mcu.uart[0].feedByte(ch.charCodeAt(0)); }
// Send a command; its reply line (up to its newline), or null.
function ask(c, cmd, reply, ms = 300) {
  c.uart = '';
  send(c, cmd + '\n');
  if (!until(c, reply, ms)) return null;
  const end = c.now() + ms;
  while (!c.uart.slice(c.uart.indexOf(reply)).includes('\n') && c.now() < end)
    run(c, 1);
  return c.uart;
}
// Press lengths on pin p (pressed level 'H' or 'L') since t.
function presses(c, p, pressed, since = 0) {
  const out = [];
  let on = null;
  for (const [t, l] of c.levels[p]) {
    if (t < since) continue;
    if (l === pressed && on === null) on = t;
    else if (l !== pressed && on !== null) { out.push(t - on); on = null; }
  }
  return out;
}
const fmt = (v) => v.map(([t, l]) => `${t.toFixed(3)}:${l}`).join(' ');

// The sense input's wiring: an optocoupler on the power LED that conducts
// while the server is on (to ground for active-low, to 3.3 V for
// active-high); otherwise the pad's pull decides, and a floating input
// reads noise, new every 10 us.
function senseWiring(c, pin, activeLow) {
  // w.set(on): the optocoupler switches (applied before the next instruction)
  const w = { on: false, last: 0, set(on) { w.on = on; w.last = -1e18; } };
  c.hooks.push(() => {
    if (c.clock.nanos - w.last < 10000) return;
    w.last = c.clock.nanos;
    const g = c.mcu.gpio[pin];
    let v;
    if (w.on) v = !activeLow;
    else if (g.pullupEnabled && !g.pulldownEnabled) v = true;
    else if (g.pulldownEnabled && !g.pullupEnabled) v = false;
    else v = Math.random() < 0.5;
    g.setInputValue(v);
  });
  return w;
}
function senses(c, n = 20) {
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    const r = ask(c, 's', '\n', 50);
    seen.add(r === null ? 'none' : r.trim());
    run(c, 1);
  }
  return [...seen].sort().join(',');
}

// Outputs from reset: never pressed, driven released from first drive on
// (no float), driven within 1 ms of reset.
function outputsClean(c, pins, pressed, label) {
  const released = pressed === 'H' ? 'L' : 'H';
  for (const p of pins) {
    const v = c.levels[p];
    const first = v.find(([, l]) => l !== 'Z');
    const after = first ? v.slice(v.indexOf(first)) : [];
    check(`${label}: GP${p} driven released ${first ? first[0].toFixed(3) :
      'never'} ms after reset, never pressed, never floating after`,
      first && first[1] === released && first[0] < 1 &&
      after.every(([, l]) => l === released), fmt(v));
  }
}

// ---- the test firmware ------------------------------------------------
const emu = readFileSync(uf2Path);
let c = chip({ uf2: emu });
const sense = senseWiring(c, 4, true);
check('boots and reports a power-on reset, default settings',
  until(c, 'boot 0 loaded -1', 3000), JSON.stringify(c.uart));
const pinPowerAt = +(/pin_power_at (\d+)/.exec(c.uart) || [0, 0])[1];
run(c, 5);
outputsClean(c, [2, 3], 'H', 'active-high outputs (defaults)');
check('UART: a line in, its echo out', ask(c, 'ehello pico', 'echo hello pico\n') !== null,
  JSON.stringify(c.uart));
check('console RX (GP1) has a pull-up: an unwired console reads idle, not BREAK',
  c.mcu.gpio[1].pullupEnabled && !c.mcu.gpio[1].pulldownEnabled);
let r = ask(c, 'Spin_sense 2', 'set ');
check(`settings: a pin with two roles is refused (${r?.trim()})`,
  r !== null && r.includes('GP2 is pin_power already'));
r = ask(c, 'Swifi_pass short', 'set ');
check(`settings: a 5-character WiFi password is refused (${r?.trim()})`,
  r !== null && r.includes('8 to 63'));

// Sense (GP4, active low, auto pull): nothing driving it, then the open
// collector pulling it low.
const g4 = c.mcu.gpio[4];
check(`sense GP4 (active low): pull-up on, pull-down off (${g4.pullupEnabled}/${g4.pulldownEnabled})`,
  g4.pullupEnabled && !g4.pulldownEnabled);
let seen = senses(c);
check(`sense, server off, nothing driving the pin: reads off every time (${seen})`,
  seen === 'sense 0', seen);
sense.set(true);
seen = senses(c);
check(`sense, the open collector pulls it low: reads on every time (${seen})`,
  seen === 'sense 1', seen);
sense.set(false);

let t0 = c.now();
check('press accepted', ask(c, 'p300', 'press 0\n') !== null);
run(c, 400);
let len = presses(c, 2, 'H', t0);
check(`a 300 ms press is ${len[0]?.toFixed(2)} ms of emulated time`,
  len.length === 1 && Math.abs(len[0] - 300) < 2, len);
t0 = c.now();
ask(c, 'p10', 'press 0\n');
run(c, 150);
len = presses(c, 2, 'H', t0);
check(`a 10 ms press is clamped to 50 ms (${len[0]?.toFixed(2)} ms)`,
  len.length === 1 && Math.abs(len[0] - 50) < 2, len);

// A settings save while a press is held: refused; the press keeps its
// length.  Then, released, the save goes through (and takes the flash's
// erase time, during which nothing else runs).
t0 = c.now();
ask(c, 'p300', 'press 0\n');
run(c, 100);
const during = ask(c, 'w', 'save ', 600);
run(c, 700);
len = presses(c, 2, 'H', t0);
check(`save during a 300 ms press: refused (${during?.trim()}), nothing written`,
  during !== null && during.includes('save -2') &&
  !c.flashOps.some(([, t]) => t >= t0), JSON.stringify(c.flashOps.slice(-3)));
check(`save during a 300 ms press: the press is ${len[0]?.toFixed(2)} ms of emulated time`,
  len.length === 1 && Math.abs(len[0] - 300) < 2, len);
check('save with nothing pressed: "set out_active_low 1", then written',
  ask(c, 'Sout_active_low 1', 'set ok\n') !== null &&
  ask(c, 'Ssense_active_low 0', 'set ok\n') !== null);
t0 = c.now();
const saved = ask(c, 'w', 'save ', 1500);
const erase = c.flashOps.filter(([op, t]) => op === 'erase' && t >= t0);
check(`save: done (${saved?.trim()}), one sector erased (${T_SECTOR_ERASE_MS} ms modelled), ` +
  `took ${(c.now() - t0).toFixed(0)} ms of emulated time`,
  saved !== null && saved.includes('save 0') && erase.length === 1 &&
  c.now() - t0 >= T_SECTOR_ERASE_MS, JSON.stringify(c.flashOps.slice(-4)));
const flash2 = Uint8Array.from(c.mcu.flash);

t0 = c.now();
ask(c, 'p400', 'press 0\n');
run(c, 100);
check('main loop hangs mid-press', ask(c, 'h', 'hang\n', 100) !== null);
const hungAt = c.now();
run(c, 1300);
len = presses(c, 2, 'H', t0);
check(`hung loop: the alarm still releases the press at ${len[0]?.toFixed(2)} ms (400)`,
  len.length === 1 && Math.abs(len[0] - 400) < 2, len);
check(`the watchdog (1000 ms) bites ${c.bit === null ? 'never' : (c.bit - hungAt).toFixed(1) + ' ms'} after the hang`,
  c.bit !== null && c.bit - hungAt > 850 && c.bit - hungAt < 1150);

// Active-low outputs and active-high sense, from the record saved above.
c = chip({ flash: flash2 });
const sense2 = senseWiring(c, 4, false);
check('reboots with the saved settings (active-low outputs)',
  until(c, 'boot 0 loaded 0', 3000), JSON.stringify(c.uart));
run(c, 5);
outputsClean(c, [2, 3], 'L', 'active-low outputs');
const g4b = c.mcu.gpio[4];
check(`sense GP4 (active high): pull-down on, pull-up off (${g4b.pullupEnabled}/${g4b.pulldownEnabled})`,
  !g4b.pullupEnabled && g4b.pulldownEnabled);
seen = senses(c);
check(`sense (active high), nothing driving the pin: off every time (${seen})`,
  seen === 'sense 0', seen);
sense2.set(true);
seen = senses(c);
check(`sense (active high), the open emitter pulls it high: on every time (${seen})`,
  seen === 'sense 1', seen);
t0 = c.now();
ask(c, 'p300', 'press 0\n');
run(c, 400);
len = presses(c, 2, 'L', t0);
check(`active low: a 300 ms press is ${len[0]?.toFixed(2)} ms low`,
  len.length === 1 && Math.abs(len[0] - 300) < 2, len);

// A record from an older firmware with the power button on the UART's TX
// pin (GP0), active high (the UART's idle level is a press): the output
// wins, the console stays off.
const flash3 = Uint8Array.from(flash2);
const rec = 2 * 1024 * 1024 - 4096;
const size = flash3[rec + 6] | (flash3[rec + 7] << 8);
flash3[rec + pinPowerAt] = 0;
flash3[rec + pinPowerAt + 6] = 0;   // out_active_low
let h = 0x811c9dc5;
for (let i = 0; i < size - 4; i++) h = Math.imul(h ^ flash3[rec + i], 0x01000193) >>> 0;
flash3.set([h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff, h >>> 24], rec + size - 4);
c = chip({ flash: flash3 });
senseWiring(c, 4, false);
run(c, 50);
outputsClean(c, [0, 3], 'H', 'stored power pin = UART TX (GP0), active high');
check(`GP0 stays the power button, not the UART (function ${c.mcu.gpio[0].functionSelect})`,
  c.mcu.gpio[0].functionSelect === 5 && c.mcu.gpio[0].outputEnable);

// ---- the real pico_w image ---------------------------------------------
if (wPath) {
  c = chip({ uf2: readFileSync(wPath) });
  let touched = null, armedAtTouch = null;
  // The radio is touched when its power pin (WL_ON, GP23) is driven; from
  // then on its SPI bus's DMA never completes: a hang in the radio's start.
  c.mcu.gpio[23].addListener(() => {
    const g = c.mcu.gpio[23];
    if (touched === null && g.outputEnable && g.outputValue) {
      touched = c.now();
      armedAtTouch = c.wdt.enable;
      for (const ch of c.mcu.dma.channels) ch.scheduleTransfer = () => {};
    }
  });
  run(c, 5);
  outputsClean(c, [2, 3], 'H', 'pico_w image, default settings');
  run(c, 600);
  check(`pico_w: the radio is touched at ${touched?.toFixed(1)} ms with the watchdog ` +
    `${armedAtTouch ? 'armed' : 'not armed'}`, touched !== null && armedAtTouch === true);
  const end = c.now() + 9500;
  while (c.bit === null && c.now() < end) run(c, 50);
  check(`pico_w: a hang in the radio's start is recovered: the watchdog bites ` +
    `${c.bit === null ? 'never' : ((c.bit - touched) / 1000).toFixed(2) + ' s after the radio is touched'}`,
    c.bit !== null && c.bit - touched < 8500);
  check('pico_w: no output pressed through all of it',
    presses(c, 2, 'H').length === 0 && presses(c, 3, 'H').length === 0,
    fmt(c.levels[2]) + ' / ' + fmt(c.levels[3]));
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
