// Wire-format (JSON) shapes of the Kubernetes objects the simulator stores and serves.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generateName?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ContainerPort {
  containerPort: number;
  protocol: string;
  name?: string;
}

export interface Container {
  name: string;
  image: string;
  ports?: ContainerPort[];
  resources: Record<string, Json>;
  terminationMessagePath: string;
  terminationMessagePolicy: string;
  imagePullPolicy: string;
}

export interface PodSpec {
  containers: Container[];
  restartPolicy: string;
  terminationGracePeriodSeconds: number;
  dnsPolicy: string;
  serviceAccountName: string;
  serviceAccount: string;
  nodeName?: string;
  schedulerName: string;
  securityContext: Record<string, Json>;
  enableServiceLinks: boolean;
  preemptionPolicy: string;
  priority: number;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False';
  lastProbeTime: null;
  lastTransitionTime: string;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID: string;
  state: { running: { startedAt: string } };
  lastState: Record<string, Json>;
}

export interface PodStatus {
  phase: string;
  conditions: PodCondition[];
  hostIP: string;
  hostIPs: Array<{ ip: string }>;
  podIP: string;
  podIPs: Array<{ ip: string }>;
  startTime: string;
  containerStatuses: ContainerStatus[];
  qosClass: string;
}

// Wire JSON of a pod: timestamps are RFC 3339 strings, not the Date objects of the client's V1Pod class.
export interface V1PodLike extends KubeObject {
  apiVersion: 'v1';
  kind: 'Pod';
  spec: PodSpec;
  status: PodStatus;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string>; creationTimestamp: null };
  spec: Omit<PodSpec, 'nodeName' | 'serviceAccount' | 'serviceAccountName' | 'enableServiceLinks' | 'preemptionPolicy' | 'priority'>;
}

export interface DeploymentObject extends KubeObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplate;
    strategy: Record<string, Json>;
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
    paused?: boolean;
  };
  status: Record<string, Json>;
}

export interface ReplicaSetObject extends KubeObject {
  apiVersion: 'apps/v1';
  kind: 'ReplicaSet';
  spec: { replicas: number; selector: LabelSelector; template: PodTemplate };
  status: Record<string, Json>;
}

export interface ServicePort {
  name?: string;
  protocol: string;
  port: number;
  targetPort: number | string;
}

export interface ServiceObject extends KubeObject {
  apiVersion: 'v1';
  kind: 'Service';
  spec: {
    selector?: Record<string, string> | null;
    ports: ServicePort[];
    clusterIP: string;
    clusterIPs: string[];
    type: string;
    sessionAffinity: string;
    ipFamilies: string[];
    ipFamilyPolicy: string;
    internalTrafficPolicy: string;
  };
  status: { loadBalancer: Record<string, Json> };
}

export interface EndpointObject {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  nodeName: string;
}

export interface EndpointSliceObject extends KubeObject {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  addressType: 'IPv4';
  // null, not [], when no pod matches: that is what the real API serves after a storage round trip.
  endpoints: EndpointObject[] | null;
  ports: Array<{ name: string; protocol: string; port: number }>;
}

export interface PdbObject extends KubeObject {
  apiVersion: 'policy/v1';
  kind: 'PodDisruptionBudget';
  spec: { selector: LabelSelector; minAvailable?: number | string; maxUnavailable?: number | string };
  status: {
    observedGeneration: number;
    disruptionsAllowed: number;
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
    conditions?: Json[];
  };
}

export interface HpaObject extends KubeObject {
  apiVersion: 'autoscaling/v2';
  kind: 'HorizontalPodAutoscaler';
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: Json[];
    behavior?: JsonObject;
  };
  status: Record<string, Json>;
}

export interface NamespaceObject extends KubeObject {
  apiVersion: 'v1';
  kind: 'Namespace';
  spec: { finalizers: string[] };
  status: { phase: 'Active' };
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toJson(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/** An events.k8s.io/v1 Event as stored: the fields beyond metadata are kept as they came. */
export type EventObject = KubeObject & { [key: string]: Json | ObjectMeta };
