#!/usr/bin/python3
"""pyghmi's Command against the real daemon: per-port and bridged."""
import sys

from pyghmi.ipmi import command
import pyghmi.exceptions as pe

port, port72, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
from tap import check, finish, wait_until


def session(p, user='admin', pw=None, **kw):
    return command.Command(bmc='127.0.0.1', userid=user,
                           password=pw or password, port=p, **kw)


c = session(port72)
check('get_power per port', c.get_power() == {'powerstate': 'off'},
      c.get_power())
r = c.set_power('on', wait=30)
check('set_power on, waits for on', r == {'powerstate': 'on'}, r)
r = c.set_power('off', wait=30)
check('set_power off', r == {'powerstate': 'off'}, r)
r = c.set_bootdev('network', uefiboot=True)
check('set_bootdev network uefi', r.get('bootdev') == 'network', r)
r = c.get_bootdev()
check('get_bootdev', r == {'bootdev': 'network', 'persistent': False,
                           'uefimode': True}, r)
r = c.set_bootdev('hd', persist=True)
r = c.get_bootdev()
check('get_bootdev persistent hd', r.get('bootdev') == 'hd' and
      r.get('persistent') is True, r)
sensors = {s.name: s for s in c.get_sensor_data()}
check('get_sensor_data', set(sensors) == {'CPU Temp', 'Inlet Temp', '12V',
                                          'Fan1'}, sensors)
check('sensor value', sensors['Inlet Temp'].value == 24.0 and
      sensors['Inlet Temp'].units == '\u00b0C', sensors['Inlet Temp'])
r = c.raw_command(netfn=6, command=1)
check('Get Device ID', r['code'] == 0 and r['data'][0] == 0x72, r)
c.ipmi_session.logout()

b = session(port)
r = b.raw_command(netfn=0, command=1, bridge_request={'addr': 1,
                                                      'channel': 0})
check('bridged Get Chassis Status', r['code'] == 0 and
      r['netfn'] == 1 and (r['data'][0] & 1) == 0, r)
r = b.raw_command(netfn=0, command=2, data=(1,),
                  bridge_request={'addr': 1, 'channel': 0})
check('bridged power on', r['code'] == 0, r)
on = wait_until(lambda: b.raw_command(
    netfn=0, command=1, bridge_request={'addr': 1, 'channel': 0})['data'][0]
    & 1, 30)
check('bridged: target powers up', on)
r = b.raw_command(netfn=6, command=1, bridge_request={'addr': 0x72,
                                                      'channel': 0})
check('bridged Get Device ID', r['code'] == 0 and r['netfn'] == 7 and
      r['data'][0] == 0x72, r)
r = b.raw_command(netfn=0, command=2, data=(1,),
                  bridge_request={'addr': 3, 'channel': 0})
check('bridged to a slow (async) target', r['code'] == 0, r)
try:
    r = b.raw_command(netfn=0, command=1, bridge_request={'addr': 5,
                                                          'channel': 0})
    check('unknown target gives 0x83', r.get('code') == 0x83, r)
except pe.IpmiException as e:
    check('unknown target gives 0x83', '0x83' in str(e) or
          'NAK' in str(e) or e.ipmicode == 0x83, repr(e))
b.ipmi_session.logout()

try:
    session(port72, pw='wrong-password-1').get_power()
    check('wrong password refused', False)
except pe.IpmiException as e:
    check('wrong password refused', True, e)

o = session(port72, user='oper', pw='operator-pw-1')
check('OPERATOR: pyghmi steps down from ADMINISTRATOR and gets in',
      o.get_power()['powerstate'] in ('on', 'off'))
r = o.set_power('off', wait=30)
check('OPERATOR may power off', r == {'powerstate': 'off'}, r)
u = session(port72, user='viewer', pw='viewer-pw-1', privlevel=2)
check('USER reads power', u.get_power()['powerstate'] in ('on', 'off'))
try:
    u.set_power('on')
    check('USER cannot power on', False)
except pe.IpmiException as e:
    check('USER cannot power on', True, e)

finish()
