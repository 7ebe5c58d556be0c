import test from 'ava';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';

let kube: FakeKube;
test.before(async () => { kube = await startFakeKube(); });
test.after.always(async () => { await kube.close(); });

const deployment = (name: string, replicas = 2): V1Deployment => ({
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
});
type Status = { observedGeneration?: number; readyReplicas?: number; availableReplicas?: number; conditions?: { type: string; status: string; reason: string }[] };
const statusOf = (k: FakeKube, name: string) => (k.object('apps/v1', 'Deployment', 'default', name)?.status ?? {}) as Status;
const podNames = (k: FakeKube, name: string) => k.pods.list('default', `app=${name}`).map((p) => p.metadata.name!).sort();

test('autoRollout: replicas ready pods with pod-template-hash, status available', async (t) => {
  await kube.kubeConfig().makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  const status = await kube.waitFor(() => { const s = statusOf(kube, 'web'); return s.availableReplicas === 2 ? s : undefined; });
  t.like(status, { observedGeneration: 1, readyReplicas: 2 });
  t.deepEqual(status.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);
  const pods = kube.pods.list('default', 'app=web');
  t.is(pods.length, 2);
  t.regex(pods[0]!.metadata.labels!['pod-template-hash']!, /^[a-z0-9]{10}$/);
  t.like(pods[0]!.metadata.ownerReferences?.[0], { kind: 'ReplicaSet' });
  t.is((pods[0]!.status as { phase: string }).phase, 'Running');
});

test('deleted pods come back; a restartedAt annotation replaces them; deleting the Deployment removes them', async (t) => {
  const kc = kube.kubeConfig();
  const apps = kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('restart') });
  const first = await kube.waitFor(() => { const n = podNames(kube, 'restart'); return n.length === 2 ? n : undefined; });
  await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ namespace: 'default', name: first[0]! });
  await kube.waitFor(() => { const n = podNames(kube, 'restart'); return n.length === 2 && !n.includes(first[0]!); });
  const before = podNames(kube, 'restart');
  await apps.patchNamespacedDeployment({
    namespace: 'default', name: 'restart',
    body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } },
  }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
  await kube.waitFor(() => { const n = podNames(kube, 'restart'); return n.length === 2 && n.every((x) => !before.includes(x)) && statusOf(kube, 'restart').observedGeneration === 2; });
  await apps.deleteNamespacedDeployment({ namespace: 'default', name: 'restart' });
  t.deepEqual(podNames(kube, 'restart'), []);
  t.deepEqual(kube.objects('apps/v1', 'ReplicaSet', 'default').filter((r) => r.metadata.name!.startsWith('restart-')), []);
});

const failing = test.macro({
  async exec(t, reason: string) {
    const name = `fail-${reason.toLowerCase()}`;
    await kube.kubeConfig().makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'default', body: deployment(name, 1) });
    await kube.waitFor(() => statusOf(kube, name).availableReplicas === 1);
    await kube.kubeConfig().makeApiClient(AppsV1Api).patchNamespacedDeployment({ namespace: 'default', name, body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:broken' }] } } } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    await kube.waitFor(() => statusOf(kube, name).observedGeneration === 2);
    kube.deployments.fail('default', name, reason, 'it broke', { progressDeadlineExceeded: reason === 'ImagePullBackOff' });
    const pod = kube.pods.list('default', `app=${name}`)[0]!;
    const cs = (pod.status as { containerStatuses: { state: { waiting?: { reason: string } }; restartCount: number; lastState?: { terminated?: unknown } }[] }).containerStatuses[0]!;
    t.is(cs.state.waiting?.reason, reason);
    t.is(cs.restartCount > 0, reason === 'CrashLoopBackOff');
    t.is(Boolean(cs.lastState?.terminated), reason === 'CrashLoopBackOff');
    const conditions = statusOf(kube, name).conditions!;
    t.like(conditions.find((c) => c.type === 'Available'), { status: 'False' });
    t.like(conditions.find((c) => c.type === 'Progressing'), reason === 'ImagePullBackOff' ? { status: 'False', reason: 'ProgressDeadlineExceeded' } : { status: 'True' });
  },
  title: (_t, reason: string) => `deployments.fail with ${reason}`,
});
test(failing, 'CrashLoopBackOff');
test(failing, 'ImagePullBackOff');
test(failing, 'ErrImagePull');

test('without autoRollout pods wait until deployments.rollout', async (t) => {
  const manual = await startFakeKube({ autoRollout: false });
  t.teardown(() => manual.close());
  await manual.kubeConfig().makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'default', body: deployment('manual', 1) });
  await manual.waitFor(() => podNames(manual, 'manual').length === 1 && statusOf(manual, 'manual').observedGeneration === 1);
  t.like(statusOf(manual, 'manual').conditions?.find((c) => c.type === 'Available'), { status: 'False' });
  manual.deployments.rollout('default', 'manual');
  t.is(statusOf(manual, 'manual').availableReplicas, 1);
});
