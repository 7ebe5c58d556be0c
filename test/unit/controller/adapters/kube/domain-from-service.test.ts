import test from 'ava';
import { domainFromService } from '../../../../../controller/adapters/kube/domain/derived-system-domain.ts';

const service = (ingress: Array<{ ip?: string; hostname?: string }>) => ({ status: { loadBalancer: { ingress } } });
const from = (ingress: Array<{ ip?: string; hostname?: string }>) => domainFromService(service(ingress), 'kube-system/traefik', 'sslip.io');

test('an IPv4 load-balancer address gives <ip>.<wildcard DNS>, preferred over IPv6', (t) => {
  t.deepEqual(from([{ ip: '2001:db8::1' }, { ip: '198.51.100.4' }]), { domain: '198.51.100.4.sslip.io' });
});

test('an IPv6-only load balancer gives sslip.io\'s dashed form', (t) => {
  t.deepEqual(from([{ ip: '2001:DB8::1' }]), { domain: '2001-db8--1.sslip.io' });
});

test('a host name only, or nothing, gives no domain and says what to do', (t) => {
  const named = from([{ hostname: 'abc.elb.amazonaws.com' }]);
  t.true('problem' in named && /abc\.elb\.amazonaws\.com.*SLIPWAY_SYSTEM_DOMAIN/.test(named.problem));
  const empty = from([]);
  t.true('problem' in empty && /no load-balancer IP address yet/.test(empty.problem));
  const missing = domainFromService(undefined, 'kube-system/traefik', 'sslip.io');
  t.true('problem' in missing && /does not exist/.test(missing.problem));
});
