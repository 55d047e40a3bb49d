/* Built from clients/typescript/sheet/ by `npm run build:sheet`: do not edit. */
function e(e){return e===null?`null`:Array.isArray(e)?`array`:typeof e}function t(t){return e(t)===`object`}function n(e){return Array.isArray(e)&&e.length>0&&e.every(e=>`message`in e)}function r(e,t){return e.length<124?e:t}var i=/* @__PURE__ */ (e=>(e[e.InternalServerError=4500]=`InternalServerError`,e[e.InternalClientError=4005]=`InternalClientError`,e[e.BadRequest=4400]=`BadRequest`,e[e.BadResponse=4004]=`BadResponse`,e[e.Unauthorized=4401]=`Unauthorized`,e[e.Forbidden=4403]=`Forbidden`,e[e.SubprotocolNotAcceptable=4406]=`SubprotocolNotAcceptable`,e[e.ConnectionInitialisationTimeout=4408]=`ConnectionInitialisationTimeout`,e[e.ConnectionAcknowledgementTimeout=4504]=`ConnectionAcknowledgementTimeout`,e[e.SubscriberAlreadyExists=4409]=`SubscriberAlreadyExists`,e[e.TooManyInitialisationRequests=4429]=`TooManyInitialisationRequests`,e))(i||{}),a=/* @__PURE__ */ (e=>(e.ConnectionInit=`connection_init`,e.ConnectionAck=`connection_ack`,e.Ping=`ping`,e.Pong=`pong`,e.Subscribe=`subscribe`,e.Next=`next`,e.Error=`error`,e.Complete=`complete`,e))(a||{});function o(r){if(!t(r))throw Error(`Message is expected to be an object, but got ${e(r)}`);if(!r.type)throw Error(`Message is missing the 'type' property`);if(typeof r.type!=`string`)throw Error(`Message is expects the 'type' property to be a string, but got ${e(r.type)}`);switch(r.type){case`connection_init`:case`connection_ack`:case`ping`:case`pong`:if(r.payload!=null&&!t(r.payload))throw Error(`"${r.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${r.payload}"`);break;case`subscribe`:if(typeof r.id!=`string`)throw Error(`"${r.type}" message expects the 'id' property to be a string, but got ${e(r.id)}`);if(!r.id)throw Error(`"${r.type}" message requires a non-empty 'id' property`);if(!t(r.payload))throw Error(`"${r.type}" message expects the 'payload' property to be an object, but got ${e(r.payload)}`);if(typeof r.payload.query!=`string`)throw Error(`"${r.type}" message payload expects the 'query' property to be a string, but got ${e(r.payload.query)}`);if(r.payload.variables!=null&&!t(r.payload.variables))throw Error(`"${r.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${e(r.payload.variables)}`);if(r.payload.operationName!=null&&e(r.payload.operationName)!==`string`)throw Error(`"${r.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${e(r.payload.operationName)}`);if(r.payload.extensions!=null&&!t(r.payload.extensions))throw Error(`"${r.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${e(r.payload.extensions)}`);break;case`next`:if(typeof r.id!=`string`)throw Error(`"${r.type}" message expects the 'id' property to be a string, but got ${e(r.id)}`);if(!r.id)throw Error(`"${r.type}" message requires a non-empty 'id' property`);if(!t(r.payload))throw Error(`"${r.type}" message expects the 'payload' property to be an object, but got ${e(r.payload)}`);break;case`error`:if(typeof r.id!=`string`)throw Error(`"${r.type}" message expects the 'id' property to be a string, but got ${e(r.id)}`);if(!r.id)throw Error(`"${r.type}" message requires a non-empty 'id' property`);if(!n(r.payload))throw Error(`"${r.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(r.payload)}`);break;case`complete`:if(typeof r.id!=`string`)throw Error(`"${r.type}" message expects the 'id' property to be a string, but got ${e(r.id)}`);if(!r.id)throw Error(`"${r.type}" message requires a non-empty 'id' property`);break;default:throw Error(`Invalid message 'type' property "${r.type}"`)}return r}function s(e,t){return o(typeof e==`string`?JSON.parse(e,t):e)}function c(e,t){return o(e),JSON.stringify(e,t)}function l(e){let{url:t,connectionParams:n,lazy:o=!0,onNonLazyError:l=console.error,lazyCloseTimeout:m=0,keepAlive:h=0,disablePong:g,connectionAckWaitTimeout:_=0,retryAttempts:v=5,retryWait:y=async function(e){let t=2**e;await new Promise(e=>setTimeout(e,t*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:ee=d,on:b,webSocketImpl:x,generateID:S=function(){return`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.replace(/[xy]/g,e=>{let t=Math.random()*16|0;return(e==`x`?t:t&3|8).toString(16)})},jsonMessageReplacer:C,jsonMessageReviver:w}=e,T;if(x){if(!p(x))throw Error(`Invalid WebSocket implementation provided`);T=x}else typeof WebSocket<`u`?T=WebSocket:typeof global<`u`?T=global.WebSocket||global.MozWebSocket:typeof window<`u`&&(T=window.WebSocket||window.MozWebSocket);if(!T)throw Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let E=T,D=(()=>{let e=/* @__PURE__ */ (()=>{let e={};return{on(t,n){return e[t]=n,()=>{delete e[t]}},emit(t){`id`in t&&e[t.id]?.(t)}}})(),t={connecting:b?.connecting?[b.connecting]:[],opened:b?.opened?[b.opened]:[],connected:b?.connected?[b.connected]:[],ping:b?.ping?[b.ping]:[],pong:b?.pong?[b.pong]:[],message:b?.message?[e.emit,b.message]:[e.emit],closed:b?.closed?[b.closed]:[],error:b?.error?[b.error]:[]};return{onMessage:e.on,on(e,n){let r=t[e];return r.push(n),()=>{let e=r.indexOf(n);e>-1&&r.splice(e,1)}},emit(e,...n){for(let r of[...t[e]])r(...n)}}})();function O(e){let t=[D.on(`error`,n=>{t.forEach(e=>e()),e(n)}),D.on(`closed`,n=>{t.forEach(e=>e()),e(n)})];return()=>t.forEach(e=>e())}let k,A=0,j,M=!1,N=0,P=!1;async function F(){clearTimeout(j);let[e,o]=await(k??=new Promise((e,o)=>(async()=>{if(M){if(await y(N),!A)return k=void 0,o({code:1e3,reason:`All Subscriptions Gone`});N++}D.emit(`connecting`,M);let l=new E(typeof t==`function`?await t():t,`graphql-transport-ws`),d,f;function p(){isFinite(h)&&h>0&&(clearTimeout(f),f=setTimeout(()=>{l.readyState===E.OPEN&&(l.send(c({type:a.Ping})),D.emit(`ping`,!1,void 0))},h))}O(e=>{k=void 0,clearTimeout(d),clearTimeout(f),o(e),e instanceof u&&(l.close(4499,`Terminated`),l.onerror=null,l.onclose=null)}),l.onerror=e=>D.emit(`error`,e),l.onclose=e=>D.emit(`closed`,e),l.onopen=async()=>{try{D.emit(`opened`,l);let e=typeof n==`function`?await n():n;if(l.readyState!==E.OPEN)return;l.send(c(e?{type:a.ConnectionInit,payload:e}:{type:a.ConnectionInit},C)),isFinite(_)&&_>0&&(d=setTimeout(()=>{l.close(i.ConnectionAcknowledgementTimeout,`Connection acknowledgement timeout`)},_)),p()}catch(e){D.emit(`error`,e),l.close(i.InternalClientError,r(e instanceof Error?e.message:String(e),`Internal client error`))}};let m=!1;l.onmessage=({data:t})=>{try{let n=s(t,w);if(D.emit(`message`,n),n.type===`ping`||n.type===`pong`){D.emit(n.type,!0,n.payload),n.type===`pong`?p():g||(l.send(c(n.payload?{type:a.Pong,payload:n.payload}:{type:a.Pong},C)),D.emit(`pong`,!1,n.payload));return}if(m)return;if(n.type!==a.ConnectionAck)throw Error(`First message cannot be of type ${n.type}`);clearTimeout(d),m=!0,D.emit(`connected`,l,n.payload,M),M=!1,N=0;let r=new Promise((e,t)=>O(t));r.catch(()=>{}),e([l,r])}catch(e){l.onmessage=null,D.emit(`error`,e),l.close(i.BadResponse,r(e instanceof Error?e.message:String(e),`Bad response`))}}})()));e.readyState===E.CLOSING&&await o;let l=()=>{},d=new Promise(e=>l=e);return[e,l,new Promise((t,n)=>{let r=O(n);e.readyState!==E.OPEN&&o.catch(n),d.then(()=>{if(r(),!A){let t=()=>e.close(1e3,`Normal Closure`);isFinite(m)&&m>0?(clearTimeout(j),j=setTimeout(()=>{!A&&e.readyState===E.OPEN&&t()},m)):t()}t()})})]}function I(e){if(d(e)&&(f(e.code)||[i.InternalServerError,i.InternalClientError,i.BadRequest,i.BadResponse,i.Unauthorized,i.SubprotocolNotAcceptable,i.SubscriberAlreadyExists,i.TooManyInitialisationRequests].includes(e.code)))throw e;if(P)return!1;if(d(e)&&e.code===1e3)return A>0;if(!v||N>=v||!ee(e))throw e;return M=!0}o||(async()=>{for(A++;;)try{let[,,e]=await F();await e}catch(e){try{if(!I(e))return}catch(e){return l?.(e)}}})();function L(e,t){let n=S(e),r=!1,i=!1,o=()=>{A--,r=!0};return(async()=>{for(A++;;)try{let[s,l,u]=await F();if(r)return u.catch(()=>{}),l();let d=D.onMessage(n,e=>{switch(e.type){case a.Next:t.next(e.payload);return;case a.Error:i=!0,r=!0,t.error(e.payload),o();return;case a.Complete:r=!0,o();return}});s.send(c({id:n,type:a.Subscribe,payload:e},C)),o=()=>{!r&&s.readyState===E.OPEN&&s.send(c({id:n,type:a.Complete},C)),A--,r=!0,l()},await u.finally(d);return}catch(e){if(!I(e))return}})().then(()=>{i||t.complete()}).catch(e=>{t.error(e)}),()=>{r||o()}}return{on:D.on,subscribe:L,iterate(e){let t=[],n={done:!1,error:null,resolve:()=>{}},r=L(e,{next(e){t.push(e),n.resolve()},error(e){n.done=!0,n.error=e,n.resolve()},complete(){n.done=!0,n.resolve()}}),i=async function*(){for(;;){for(t.length||await new Promise(e=>n.resolve=e);t.length;)yield t.shift();if(n.error)throw n.error;if(n.done)return}}();return i.throw=async e=>(n.done||(n.done=!0,n.error=e,n.resolve()),{done:!0,value:void 0}),i.return=async()=>(r(),{done:!0,value:void 0}),i},async dispose(){if(P=!0,k){let[e]=await k;e.close(1e3,`Normal Closure`)}},terminate(){k&&D.emit(`closed`,new u)}}}var u=class extends Error{name=`TerminatedCloseEvent`;message=`4499: Terminated`;code=4499;reason=`Terminated`;wasClean=!1};function d(e){return t(e)&&`code`in e&&`reason`in e}function f(e){return![1e3,1001,1006,1005,1012,1013,1014].includes(e)&&e>=1e3&&e<=1999}function p(e){return typeof e==`function`&&`constructor`in e&&`CLOSED`in e&&`CLOSING`in e&&`CONNECTING`in e&&`OPEN`in e}const m=/* @__PURE__ */ new Set([`INTERNAL`,`NETWORK`]);var h=class e extends Error{name=`GoalpostError`;code;retryable;errors;constructor(e,t){super(e,t.cause===void 0?void 0:{cause:t.cause}),this.code=t.code,this.retryable=t.retryable??m.has(t.code),this.errors=t.errors??[]}static fromGraphQLErrors(t){let n=t[0],r=n?.extensions?.code,i=n?.extensions?.retryable;return new e(n?.message??`request failed`,{code:typeof r==`string`?r:`UNKNOWN`,...typeof i==`boolean`?{retryable:i}:{},errors:t})}};function g(e){return e instanceof h||e instanceof Error&&e.name===`GoalpostError`}var _=class extends String{__apiType;value;__meta__;constructor(e,t){super(e),this.value=e,this.__meta__=t}toString(){return this.value}};const v=new _(`
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
    `,{fragmentName:`GoalFields`}),y=new _(`
    fragment SaveResultFields on GoalSaveResult {
  __typename
  ... on GoalSaved {
    clientId
    created
    goal {
      ...GoalFields
    }
  }
  ... on GoalDeleted {
    clientId
    id
  }
  ... on GoalValidationFailed {
    clientId
    code
    message
    retryable
    fieldErrors {
      field
      message
    }
  }
  ... on GoalVersionConflict {
    clientId
    code
    message
    retryable
    current {
      ...GoalFields
    }
  }
  ... on GoalNotFound {
    clientId
    code
    message
    retryable
  }
  ... on GoalNotEditable {
    clientId
    code
    message
    retryable
    status
  }
  ... on GoalSaveFailed {
    clientId
    code
    message
    retryable
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}`,{fragmentName:`SaveResultFields`}),ee=new _(`
    fragment ReviewFields on Goal {
  review {
    decision
    comment
    reviewedAt
    reviewer {
      id
      name
    }
  }
}
    `,{fragmentName:`ReviewFields`}),b=new _(`
    fragment EventFields on GoalEvent {
  id
  goalId
  kind
  version
  at
  actor {
    id
    name
  }
  requestId
  changes {
    field
    before
    after
  }
  comment
}
    `,{fragmentName:`EventFields`}),x=new _(`
    mutation BatchSaveGoals($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) {
    results {
      ...SaveResultFields
    }
    savedCount
    failedCount
    weightTotals {
      performance
      competency
      coreValue
    }
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
fragment SaveResultFields on GoalSaveResult {
  __typename
  ... on GoalSaved {
    clientId
    created
    goal {
      ...GoalFields
    }
  }
  ... on GoalDeleted {
    clientId
    id
  }
  ... on GoalValidationFailed {
    clientId
    code
    message
    retryable
    fieldErrors {
      field
      message
    }
  }
  ... on GoalVersionConflict {
    clientId
    code
    message
    retryable
    current {
      ...GoalFields
    }
  }
  ... on GoalNotFound {
    clientId
    code
    message
    retryable
  }
  ... on GoalNotEditable {
    clientId
    code
    message
    retryable
    status
  }
  ... on GoalSaveFailed {
    clientId
    code
    message
    retryable
  }
}`),S=new _(`
    subscription GoalChanged($orgSlug: String!, $periodId: ID!) {
  goalChanged(orgSlug: $orgSlug, periodId: $periodId) {
    goalId
    kind
    version
    actorId
    cursor
  }
}
    `),C=new _(`
    query GoalChanges($orgSlug: String!, $periodId: ID!, $after: String, $first: Int! = 100) {
  organization(slug: $orgSlug) {
    period(id: $periodId) {
      goalChanges(after: $after, first: $first) {
        events {
          ...EventFields
        }
        cursor
        hasMore
      }
    }
  }
}
    fragment EventFields on GoalEvent {
  id
  goalId
  kind
  version
  at
  actor {
    id
    name
  }
  requestId
  changes {
    field
    before
    after
  }
  comment
}`),w=new _(`
    query GoalChangesSince($orgSlug: String!, $periodId: ID!, $after: String) {
  organization(slug: $orgSlug) {
    period(id: $periodId) {
      goalChanges(after: $after, first: 200) {
        events {
          goalId
          kind
          version
          actor {
            id
          }
        }
        cursor
        hasMore
      }
    }
  }
}
    `),T=new _(`
    query MyGoals($orgSlug: String!, $periodId: ID!, $category: GoalCategory) {
  organization(slug: $orgSlug) {
    period(id: $periodId) {
      myGoals(category: $category) {
        ...GoalFields
      }
      weightTotals {
        performance
        competency
        coreValue
      }
    }
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}`),E=new _(`
    mutation ReviewGoals($input: ReviewGoalsInput!) {
  reviewGoals(input: $input) {
    results {
      __typename
      ... on GoalReviewed {
        clientId
        goal {
          ...GoalFields
          ...ReviewFields
        }
      }
      ... on GoalValidationFailed {
        clientId
        code
        message
        retryable
        fieldErrors {
          field
          message
        }
      }
      ... on GoalVersionConflict {
        clientId
        code
        message
        retryable
        current {
          ...GoalFields
          ...ReviewFields
        }
      }
      ... on GoalNotFound {
        clientId
        code
        message
        retryable
      }
      ... on GoalNotReviewable {
        clientId
        code
        message
        retryable
        status
      }
      ... on GoalSaveFailed {
        clientId
        code
        message
        retryable
      }
    }
    reviewedCount
    failedCount
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
fragment ReviewFields on Goal {
  review {
    decision
    comment
    reviewedAt
    reviewer {
      id
      name
    }
  }
}`),D=/* @__PURE__ */ new Set([4401,4403]);var O=class{url;wsUrl;webSocketImpl;options;ws;constructor(e){this.options=e,this.url=e.url,this.wsUrl=e.wsUrl??e.url.replace(/^http/,`ws`),this.webSocketImpl=e.webSocketImpl}async batchSaveGoals(e,t){return(await this.execute(x,{input:e},t)).batchSaveGoals}async myGoals(e){let{orgSlug:t,periodId:n,category:r}=e;return(await this.execute(T,{orgSlug:t,periodId:n,...r===void 0?{}:{category:r}})).organization.period}async goalChanges(e){let{orgSlug:t,periodId:n,after:r=null,first:i=100}=e;return(await this.execute(C,{orgSlug:t,periodId:n,after:r,first:i})).organization.period.goalChanges}async reviewGoals(e,t){return(await this.execute(E,{input:e},t)).reviewGoals}async*goalChanged(e){let{orgSlug:t,periodId:n,signal:r}=e;if(r?.aborted)return;let i=this.socket().iterate({query:S.toString(),variables:{orgSlug:t,periodId:n}}),a=()=>{i.return?.()};r?.addEventListener(`abort`,a,{once:!0});try{for await(let e of i){if(e.errors?.length)throw h.fromGraphQLErrors(e.errors);e.data&&(yield e.data.goalChanged)}}catch(e){throw M(e)}finally{r?.removeEventListener(`abort`,a),await i.return?.()}}async close(){let e=this.ws;this.ws=void 0,await e?.dispose()}async execute(e,t,n={}){let r=this.options.fetch??globalThis.fetch,i=e.toString(),a=JSON.stringify({query:i,operationName:k(i),variables:t}),o=n.keepalive===!0&&new TextEncoder().encode(a).length<=6e4,s;try{let e=this.options.token??await this.options.getToken();s=await r(this.url,{method:`POST`,headers:{"Content-Type":`application/json`,Accept:`application/graphql-response+json, application/json`,Authorization:`Bearer ${e}`},body:a,...o?{keepalive:o}:{}})}catch(e){throw new h(`no answer from the server`,{code:`NETWORK`,cause:e})}let c=await A(s);if(c?.errors?.length)throw h.fromGraphQLErrors(c.errors);if(!c?.data){let{status:e}=s;throw new h(`HTTP ${String(e)} without GraphQL data`,{code:`NETWORK`,retryable:e>=500||e===429||e===200})}return c.data}async connectionParams(){return{Authorization:`Bearer ${this.options.token??await this.options.getToken()}`}}socket(){return this.ws??=l({url:this.wsUrl,lazy:!0,connectionParams:()=>this.connectionParams(),shouldRetry:e=>!j(e)||!D.has(e.code),...this.options.webSocketImpl===void 0?{}:{webSocketImpl:this.options.webSocketImpl}}),this.ws}};function k(e){return/\b(?:query|mutation|subscription)\s+(\w+)/.exec(e)?.[1]}async function A(e){if((e.headers.get(`content-type`)??``).includes(`json`))try{return await e.json()}catch{return}}function j(e){return typeof e==`object`&&!!e&&typeof e.code==`number`}function M(e){if(e instanceof h)return e;if(j(e)){let t=D.has(e.code);return new h(e.reason||`WebSocket closed (${String(e.code)})`,{code:t?`UNAUTHENTICATED`:`NETWORK`})}return Array.isArray(e)?h.fromGraphQLErrors(e):new h(e instanceof Error?e.message:String(e),{code:`NETWORK`,cause:e})}function N(e,t,n,r){return Math.min(n,t*2**Math.max(0,e-1))*(.5+r/2)}function P(e,t){return{atOnce:()=>t.now(),retryAt:(n,r)=>n>=e.maxAttempts?null:t.now()+N(n,e.backoffBaseMs,e.backoffMaxMs,r)}}var F=class{goals;transport;timing;clock;keepalive;waiters=[];timer=void 0;windowStart=null;lastEdit=0;flushRequested=!1;hideRequested=!1;stopped=!1;inFlight=!1;constructor(e,t,n,r,i=!1){this.goals=e,this.transport=t,this.timing=n,this.clock=r,this.keepalive=i}noteEdit(){let e=this.clock.now();this.windowStart??=e,this.lastEdit=e}flushNow(){this.flushRequested=!0,this.schedule()}flushOnHide(){this.hideRequested=!0,this.flushNow()}flush(){return this.flushNow(),this.until(()=>!this.inFlight&&![...this.goals].some(e=>e.eligible))}settle(){return this.until(()=>!this.inFlight&&this.due(this.clock.now()).due.length===0)}notSending(){return this.until(()=>!this.inFlight)}stop(){this.stopped=!0,this.clearTimer(),this.resolveWaiters(!0)}schedule(){if(this.clearTimer(),this.stopped||this.inFlight)return;let e=this.clock.now(),{due:t,windowDue:n}=this.due(e);if(t.length>0){this.cycle(t,n);return}this.flushRequested=!1,this.hideRequested=!1,this.resolveWaiters();let r=this.nextWake(e);r!==null&&(this.timer=this.clock.setTimer(()=>{this.schedule()},Math.max(0,r-e)))}clearTimer(){this.timer!==void 0&&(this.clock.clearTimer(this.timer),this.timer=void 0)}windowDueAt(){return this.windowStart===null?null:Math.min(this.lastEdit+this.timing.debounceMs,this.windowStart+this.timing.maxWaitMs)}due(e){let t=this.windowDueAt(),n=this.flushRequested||t!==null&&t<=e;return{due:[...this.goals].filter(t=>t.eligible&&(this.flushRequested||(t.retryAt===null?n:t.retryAt<=e))),windowDue:n}}nextWake(e){let t=[...this.goals].filter(e=>e.eligible),n=t.flatMap(e=>e.retryAt===null?[]:[e.retryAt]);return t.some(e=>e.retryAt===null)&&n.push(this.windowDueAt()??e),n.length?Math.min(...n):null}until(e){return this.stopped||e()?Promise.resolve():new Promise(t=>this.waiters.push({done:e,resolve:t}))}resolveWaiters(e=!1){this.waiters=this.waiters.filter(t=>!e&&!t.done()||(t.resolve(),!1))}async cycle(e,t){let n=e.slice(0,this.timing.maxBatch);n.length===e.length&&(t&&(this.windowStart=null),this.flushRequested=!1);for(let e of n)this.goals.take(e);this.goals.persist();let r=this.clock.random(),i=this.keepalive||this.hideRequested;n.length===e.length&&(this.hideRequested=!1),this.inFlight=!0;try{let e=await this.transport.send(n,i);this.transport.applyResults(n,e,r)}catch(e){this.transport.requestFailed(n,e,r)}finally{this.inFlight=!1,this.goals.persist(),this.schedule()}}};const I=/* @__PURE__ */ new Set([4401,4403,4406]),L=`LIVE_OVERFLOW`,te=/* @__PURE__ */ new Set([`ORG_NOT_FOUND`,`PERIOD_NOT_FOUND`,`UNAUTHENTICATED`]);var R=class{cursor=null;connections=0;overflows=0;state=`stopped`;error=null;options;url;closing=new AbortController;closed=!1;client=null;unsubscribe=null;clientGeneration=0;subscriptionGeneration=0;streamGeneration=0;catchingUp=null;overflowed=!1;endedWith=null;attempts=0;timer=null;constructor(e){this.options=e,this.url=e.url??e.client.wsUrl}start(){return this.open(),this}close(){this.stop()}open(){if(this.closed)return;let e=++this.clientGeneration,t=()=>e===this.clientGeneration&&!this.closed,n=this.options.webSocketImpl??this.options.client.webSocketImpl;this.client=l({url:this.url,lazy:!1,retryAttempts:1/0,connectionParams:()=>this.options.client.connectionParams(),shouldRetry:e=>!(z(e)&&I.has(e.code)),retryWait:e=>this.wait(this.takeOverflowed()?0:this.backoff(e+1)),onNonLazyError:e=>{t()&&this.failed(e)},on:{connecting:e=>{t()&&this.setState(e||this.connections>0?`retrying`:`connecting`)},connected:()=>{t()&&this.connected()},closed:e=>{t()&&this.socketClosed(e)}},...n===void 0?{}:{webSocketImpl:n}}),this.subscribe()}subscribe(){let e=this.client;if(this.closed||e===null)return;let t=++this.subscriptionGeneration,n=()=>t===this.subscriptionGeneration&&!this.closed;this.endedWith=null,this.unsubscribe=e.subscribe({query:S.toString(),variables:{orgSlug:this.options.orgSlug,periodId:this.options.periodId}},{next:e=>{n()&&this.next(e)},error:e=>{n()&&this.failed(e)},complete:()=>{n()&&this.ended()}})}connected(){this.attempts=0,this.overflowed=!1;let e=this.connections>0;this.connections+=1,this.setState(`live`),e&&this.catchUp()}socketClosed(e){this.streamGeneration+=1,this.catchingUp=null,z(e)&&!I.has(e.code)&&((e.code===1013||e.reason===L)&&(this.overflows+=1,this.overflowed=!0),this.setState(`retrying`))}failed(e){z(e)&&!I.has(e.code)?(this.dropClient(),this.attempts+=1,this.setState(`retrying`),this.later(this.backoff(this.attempts),()=>{this.open()})):(z(e)?console.error(`live changes: the server closed the socket (${String(e.code)} ${e.reason})`):console.error(`live changes: the subscription was refused`,e),this.error=M(e),this.stop())}next(e){let t=e.errors?.[0];if(t){let n=t.extensions?.code;this.endedWith=typeof n==`string`?n:null,typeof n==`string`&&te.has(n)&&(console.error(`live changes: ${n}: ${t.message}`),this.error=M(e.errors),this.stop());return}let n=e.data?.goalChanged;if(!n)return;this.attempts=0;let{goalId:r,kind:i,version:a,actorId:o,cursor:s}=n;this.catchingUp?this.catchingUp.push({goalId:r,kind:i,version:a,actorId:o,cursor:s}):this.deliver({goalId:r,kind:i,version:a,actorId:o,cursor:s})}ended(){this.subscriptionGeneration+=1,this.unsubscribe=null,this.catchingUp=null,this.streamGeneration+=1;let e=this.endedWith===L;e?this.overflows+=1:(this.attempts+=1,this.setState(`retrying`)),this.later(e?0:this.backoff(this.attempts),()=>{this.catchUp(),this.subscribe(),this.state===`retrying`&&this.setState(`live`)})}deliver(e){this.cursor=e.cursor;try{this.options.onNotice(e)}catch(e){console.error(`live changes: a notice handler failed`,e)}}stop(){this.closed=!0,this.closing.abort(),this.timer!==null&&(this.clearTimer(this.timer),this.timer=null),this.streamGeneration+=1,this.catchingUp=null,this.dropClient(),this.setState(`stopped`)}dropClient(){this.clientGeneration+=1,this.subscriptionGeneration+=1;let e=this.unsubscribe,t=this.client;this.unsubscribe=null,this.client=null,e?.(),t!==null&&Promise.resolve(t.dispose()).catch(()=>void 0)}setState(e){this.state=e,this.options.onState?.(e)}setTimer(e,t){return(this.options.setTimer??setTimeout)(e,t)}clearTimer(e){this.options.clearTimer?this.options.clearTimer(e):clearTimeout(e)}backoff(e){let{backoffBaseMs:t=500,backoffMaxMs:n=3e4,random:r=Math.random}=this.options;return N(e,t,n,r())}takeOverflowed(){let e=this.overflowed;return this.overflowed=!1,e}wait(e){return new Promise(t=>{if(this.closing.signal.aborted)return;let{signal:n}=this.closing,r=()=>{this.clearTimer(i)},i=this.setTimer(()=>{n.removeEventListener(`abort`,r),t()},e);n.addEventListener(`abort`,r,{once:!0})})}later(e,t){this.timer!==null&&this.clearTimer(this.timer),this.timer=this.setTimer(()=>{this.timer=null,this.closed||t()},e)}async catchUp(){let e=++this.streamGeneration,t=this.cursor;if(t===null){this.catchingUp=null,this.options.onResync?.();return}let n=[];this.catchingUp=n;let{orgSlug:r,periodId:i}=this.options;try{let n=!0;for(;n;){let a={orgSlug:r,periodId:i,after:t},o=await this.options.client.execute(w,a);if(e!==this.streamGeneration)return;let s=o.organization.period.goalChanges;for(let{goalId:e,kind:t,version:n,actor:r}of s.events)this.deliver({goalId:e,kind:t,version:n,actorId:r.id,cursor:s.cursor});this.cursor=t=s.cursor,n=s.hasMore}}catch(t){if(e!==this.streamGeneration)return;if(this.catchingUp=null,g(t)&&t.code===`BAD_CURSOR`){this.cursor=null,this.options.onResync?.();return}console.error(`live changes: catching up failed`,t),this.client?.terminate();return}this.catchingUp=null;for(let e of n)this.deliver(e)}};function z(e){return typeof e==`object`&&!!e&&typeof e.code==`number`&&typeof e.reason==`string`}function ne(e){let t=globalThis.crypto;if(typeof t.randomUUID==`function`)return t.randomUUID().replaceAll(`-`,``).slice(0,e);let n=t.getRandomValues(new Uint8Array(Math.ceil(e/2)));return Array.from(n,e=>e.toString(16).padStart(2,`0`)).join(``).slice(0,e)}const re=/* @__PURE__ */ new Set([`UNAUTHENTICATED`,`ORG_NOT_FOUND`,`PERIOD_NOT_FOUND`]);var ie=class{goals;pump;client;period;timing;clock;live=null;announced=/* @__PURE__ */ new Map;everything=!1;reading=null;readFailure=null;stopped=!1;wake=null;constructor(e,t,n,r,i,a){this.goals=e,this.pump=t,this.client=n,this.period=r,this.timing=i,this.clock=a}get connections(){return this.live?.connections??0}get error(){return this.readFailure??this.live?.error??null}get state(){return this.live?.state??`stopped`}start(){this.live!==null||this.stopped||(this.live=new R({client:this.client,...this.period,onNotice:e=>{this.notice(e)},onResync:()=>{this.everything=!0,this.read()},backoffBaseMs:this.timing.backoffBaseMs,backoffMaxMs:this.timing.backoffMaxMs,random:()=>this.clock.random(),setTimer:(e,t)=>this.clock.setTimer(e,t),clearTimer:e=>{this.clock.clearTimer(e)}}).start())}async stop(){this.stopped=!0,this.live?.close(),this.wake?.(),await this.reading}following(){return!this.stopped}stale(e,t){let n=this.goals.byId(e);return n&&(n.version===null||n.version<t)?n:void 0}notice({goalId:e,version:t}){this.stale(e,t)&&(this.announced.set(e,Math.max(t,this.announced.get(e)??0)),this.read())}read(){!this.stopped&&this.reading===null&&(this.reading=this.readAll().finally(()=>{this.reading=null}))}async readAll(){let e=0;for(;!this.stopped&&(this.everything||this.announced.size>0);){if(await this.pump.notSending(),!this.following())return;let t=this.everything,n=new Map(this.announced);this.everything=!1,this.announced.clear();let r=t?[...this.goals].filter(e=>e.id!==null):[...n].flatMap(([e,t])=>this.stale(e,t)??[]);try{await this.refresh(r),e=0}catch(r){if(g(r)&&re.has(r.code)){this.readFailure=r,this.stopped=!0,this.live?.close();return}console.warn(`live changes: reading the goals failed, trying again`,r),this.everything||=t;for(let[e,t]of n)this.announced.set(e,Math.max(t,this.announced.get(e)??0));e+=1;let i=this.clock.random();await this.sleep(N(e,this.timing.backoffBaseMs,this.timing.backoffMaxMs,i))}}}sleep(e){return this.stopped?Promise.resolve():new Promise(t=>{let n=this.clock.setTimer(()=>{this.wake=null,t()},e);this.wake=()=>{this.clock.clearTimer(n),t()}})}async refresh(e){if(e.length===0)return;let{myGoals:t}=await this.client.myGoals(this.period),n=new Map(t.map(e=>[e.id,e]));for(let t of e)t.id!==null&&this.goals.has(t.key)&&this.goals.changedElsewhere(t,n.get(t.id)??null);this.pump.schedule()}};const ae={COMPETENCY:`CompetencyPatchInput`,CORE_VALUE:`CoreValuePatchInput`,PERFORMANCE:`PerformancePatchInput`},B={CompetencyPatchInput:{actionPlan:`String`,competencyIds:`[ID!]`,selectedIdealActions:`[IdealActionSelectionInput!]`,weight:`Float`},CoreValuePatchInput:{coreValuePlan:`String`,weight:`Float`},IdealActionSelectionInput:{actions:`[String!]!`,competencyId:`ID!`},PerformancePatchInput:{achievementCriteria:`String`,goalType:`Enum`,meansMethods:`String`,specificGoal:`String`,title:`String`,weight:`Float`}},V={PERFORMANCE:`performance`,COMPETENCY:`competency`,CORE_VALUE:`coreValue`};function oe(e){return typeof e==`string`&&Object.hasOwn(ae,e)}function H(e,t){if(e.endsWith(`!`))return t!=null&&H(e.slice(0,-1),t);if(t===null)return!0;if(e.startsWith(`[`))return Array.isArray(t)&&t.every(t=>H(e.slice(1,-1),t));switch(e){case`String`:case`Enum`:return typeof t==`string`;case`Float`:return typeof t==`number`&&Number.isFinite(t);case`Int`:return Number.isInteger(t);case`Boolean`:return typeof t==`boolean`;case`ID`:return typeof t==`string`||Number.isInteger(t);default:return se(e,t)}}function se(e,t){let n=B[e];if(!n||typeof t!=`object`||!t||Array.isArray(t))return!1;let r=t;return Object.keys(r).every(e=>Object.hasOwn(n,e))&&Object.entries(n).every(([e,t])=>r[e]===void 0?!t.endsWith(`!`):H(t,r[e]))}function U(e){let t=JSON.stringify(e);return`${e===null?`null`:typeof e} ${(typeof t==`string`?t:String(e)).slice(0,60)}`}function W(e,t){let n=B[ae[e]];if(!n)throw RangeError(`unknown goal category ${U(e)}`);if(typeof t!=`object`||!t||Array.isArray(t))throw TypeError(`a patch is an object of fields, not ${U(t)}`);let r={};for(let[i,a]of Object.entries(t)){let t=n[i];if(t===void 0){let t=Object.keys(n).join(`, `);throw RangeError(`${e} goals have no field ${i}; their fields are: ${t}`)}if(a!==void 0){if(!H(t,a))throw TypeError(`${i} of a ${e} goal takes ${t} or null, not ${U(a)}`);r[i]=a}}return r}function ce(e){let t=/* @__PURE__ */ new Map;for(let n of e??[])t.set(String(n.competencyId),[...n.actions].sort());return JSON.stringify([...t].sort(([e],[t])=>e.localeCompare(t)))}function le(e,t,n){return e===`selectedIdealActions`?ce(t)===ce(n):e===`weight`?Number(t??0)===Number(n??0):Array.isArray(t)?JSON.stringify(t.map(String))===JSON.stringify((n??[]).map(String)):(t??null)===(n??null)}function G(e,t){let n=t;return Object.fromEntries(Object.entries(e).filter(([e,t])=>!le(e,t,n[e])))}function K(e,t){return Object.keys(G(e,t)).length===0}const q=ne(32),J=globalThis.navigator?.locks??null;function Y(e){return`goalpost.tab.${e}`}let X;function ue(){return X??=J?new Promise(e=>{J.request(Y(q),()=>(e(),new Promise(()=>void 0)))}):Promise.resolve(),X}function de(e){let{key:t,category:n,clientId:r,id:i,version:a,everSent:o}=e;return{key:t,category:n,clientId:r,id:i,version:a,everSent:o,delete:e.delete,patch:{...e.sent??{},...e.pending}}}function fe(e){if(typeof e!=`object`||!e)return!1;let t=e;return typeof t.key==`string`&&typeof t.clientId==`string`&&oe(t.category)&&typeof t.patch==`object`}var pe=class{storage;storageKey;usable;watching=new AbortController;watched=/* @__PURE__ */ new Set;constructor(e,t,n){this.storage=e,this.storageKey=t,this.usable=n}get ownKey(){return`${this.storageKey}.tab.${q}`}save(e){try{e.length===0?this.storage.removeItem(this.ownKey):this.storage.setItem(this.ownKey,JSON.stringify(e))}catch(e){console.warn(`could not keep ${this.storageKey} in storage`,e)}}async restore(e,t){await ue(),e(this.read(this.ownKey)),await this.adoptUnder(`goalpost.unsaved-v1.${this.storageKey}`,this.storageKey,e);let n=`${this.storageKey}.tab.`,r=[];for(let e=0;e<this.storage.length;e+=1){let t=this.storage.key(e);t?.startsWith(n)&&t!==this.ownKey&&r.push(t)}for(let i of r){let r=Y(i.slice(n.length));await this.adoptUnder(r,i,e)||this.adoptWhenFree(r,i,t)}globalThis.addEventListener?.(`storage`,e=>{let{key:r,storageArea:i,newValue:a}=e;i===this.storage&&a!==null&&r?.startsWith(n)&&r!==this.ownKey&&this.adoptWhenFree(Y(r.slice(n.length)),r,t)},{signal:this.watching.signal})}stop(){this.watching.abort()}async adoptUnder(e,t,n){return J?J.request(e,{ifAvailable:!0},e=>e!==null&&(this.move(t,n),!0)):(t.includes(`.tab.`)||this.move(t,n),!0)}adoptWhenFree(e,t,n){J&&!this.watched.has(t)&&(this.watched.add(t),J.request(e,{signal:this.watching.signal},()=>{this.watched.delete(t),this.move(t,n)}).catch(()=>void 0))}move(e,t){let n=this.read(e);n.length>0&&t(n);try{this.storage.removeItem(e)}catch{}}read(e){try{let t=JSON.parse(this.storage.getItem(e)??`[]`);return Array.isArray(t)?t.filter(this.usable):[]}catch{return[]}}},Z=class{key;category;clientId;id=null;version=null;goal=null;pending={};delete=!1;sent=null;sentDelete=!1;lost=[];everSent=!1;state=`idle`;message=null;problem=null;blocked=!1;attempts=0;retryAt=null;constructor(e,t,n){this.key=e,this.category=t,this.clientId=n}get sending(){return this.sent!==null}get needsSend(){return this.delete||Object.keys(this.pending).length>0||this.id===null}get eligible(){return this.needsSend&&!this.sending&&!this.blocked}get inConflict(){return this.problem?.code===`VERSION_CONFLICT`}snapshot(){let{key:e,category:t,state:n,message:r,attempts:i,id:a,version:o,goal:s,problem:c}=this,l=this.inConflict?c?.current:void 0;return{key:e,category:t,state:n,message:r,attempts:i,unsaved:{...this.sent??{},...this.pending},...a===null?{}:{id:a},...o===null?{}:{version:o},...s===null?{}:{goal:s},...c===null?{}:{problem:c},...l===void 0?{}:{conflict:l}}}},me=class{store;goals=/* @__PURE__ */ new Map;listeners=/* @__PURE__ */ new Set;constructor(e=null){this.store=e}get(e){let t=this.goals.get(e);if(!t)throw RangeError(`unknown goal key ${e}; add() or load() it first`);return t}has(e){return this.goals.has(e)}keys(){return[...this.goals.keys()]}byId(e){return[...this.goals.values()].find(t=>t.id===e)}[Symbol.iterator](){return this.goals.values()}subscribe(e){return this.listeners.add(e),()=>{this.listeners.delete(e)}}track(e){let t=e.clientId,n=this.goals.get(t);if(n&&(n.needsSend||n.sending))return n.id===null&&!n.sending&&Object.assign(n,{id:e.id,version:e.version,goal:e}),t;let r=new Z(t,e.category,e.clientId);return Object.assign(r,{id:e.id,version:e.version,goal:e}),this.goals.set(t,r),t}add(e,t,n){if(this.goals.has(e))throw RangeError(`goal key ${e} is already in use`);let r=W(t,n),i=new Z(e,t,e);return Object.assign(i.pending,r),this.goals.set(e,i),i}edit(e,t,n){let r=this.get(e);if(r.category!==t)throw RangeError(`goal ${e} is a ${r.category} goal, not ${t}`);if(r.delete)throw RangeError(`goal ${e} is being deleted`);return Object.assign(r.pending,W(t,n)),r.inConflict||this.unblock(r),r}delete(e){let t=this.get(e);return t.id===null&&!t.everSent&&!t.sending?(this.goals.delete(e),this.persist(),this.emit(t,t.state,{deleted:!0}),null):(t.delete=!0,this.unblock(t),t)}resolveConflict(e,t){let n=this.get(e),r=n.inConflict?n.problem?.current:void 0;if(!r)throw RangeError(`goal ${e} has no version conflict`);return Object.assign(n,{goal:r,version:r.version,lost:[]}),this.unblock(n),t===`theirs`?(Object.assign(n,{pending:{},delete:!1}),this.persist(),this.setState(n,`saved`),null):n}markEdited(e){!e.sending&&e.state!==`error`&&this.setState(e,`pending`)}unblock(e,t=!0){!e.blocked||!t&&e.inConflict||(Object.assign(e,{blocked:!1,attempts:0,retryAt:null,problem:null}),e.sending||this.setState(e,`pending`))}changedElsewhere(e,t){if(e.sending||e.id===null)return`later`;if(t&&e.version!==null&&t.version<=e.version)return`known`;if(!e.needsSend)return t?(Object.assign(e,{id:t.id,version:t.version,goal:t}),this.emit(e,e.state,{refreshed:!0})):this.forget(e),`followed`;if(!t)return`kept`;if(!e.delete&&K(e.pending,t))return Object.assign(e,{pending:{},retryAt:null}),this.confirm(e,t),this.emit(e,e.state,{refreshed:!0}),this.persist(),`followed`;let n=e.version!==null&&t.version===e.version+1;if(!e.delete&&n&&e.lost.some(e=>K(e,t)))return e.pending={...G(e.pending,t)},this.confirm(e,t),this.emit(e,e.state,{refreshed:!0}),this.persist(),`followed`;let r=e.inConflict?e.problem?.current:void 0;if(r&&r.version>=t.version)return`known`;let i=`VERSION_CONFLICT: changed elsewhere (now version ${String(t.version)})`;return this.block(e,i,{code:`VERSION_CONFLICT`,message:i,retryable:!1,current:t,live:!0}),this.persist(),`conflict`}take(e){e.sentDelete=e.delete&&e.id!==null,e.sent=e.sentDelete?{}:e.pending,Object.assign(e,{pending:{},retryAt:null,everSent:!0}),this.setState(e,`saving`)}finish(e){let t={sent:e.sent??{},sentDelete:e.sentDelete};return Object.assign(e,{sent:null,sentDelete:!1}),t}answerLost(e,t){e.lost.push({...t})}restore(e,t){e.pending={...t,...e.pending}}confirm(e,t){Object.assign(e,{id:t.id,version:t.version,goal:t,lost:[],attempts:0,blocked:!1}),this.setState(e,e.needsSend?`pending`:`saved`)}forget(e){this.goals.delete(e.key);let t=e.state;Object.assign(e,{state:`saved`,message:null,problem:null}),this.emit(e,t,{deleted:!0})}countAttempt(e){return e.attempts+=1,e.attempts}retryLater(e,t,n,r){e.retryAt=t,this.setState(e,`pending`,n,r)}block(e,t,n){e.blocked=!0,this.setState(e,`error`,t,n)}setState(e,t,n=null,r=null){let i=e.state,a=i!==t||e.message!==n;Object.assign(e,{state:t,message:n,problem:r}),a&&this.emit(e,i)}emit(e,t,{deleted:n=!1,restored:r=!1,refreshed:i=!1}={}){let a={key:e.key,state:e.state,previous:t,message:e.message,problem:e.problem,goal:e.goal,deleted:n,restored:r,refreshed:i};for(let e of[...this.listeners])try{e(a)}catch(e){console.error(`autosave listener failed`,e)}}persist(){this.store?.save([...this.goals.values()].filter(e=>e.needsSend||e.sending).map(de))}adopt(e,t=!1){for(let n of e){let e=this.restoreOne(n);t&&this.emit(e,e.state,{restored:!0})}return this.persist(),e.map(e=>e.key)}restoreOne(e){let t=this.goals.get(e.key);return t||(t=new Z(e.key,e.category,e.clientId),this.goals.set(e.key,t)),e.id&&Object.assign(t,{id:e.id,version:e.version}),t.everSent||=e.everSent,t.pending={...e.patch,...t.pending},t.delete||=e.delete,this.setState(t,`pending`),t}};function he(e){let t={[V[e.category]]:e.sent??{}};return e.id===null?{clientId:e.clientId,...t}:{clientId:e.clientId,id:e.id,...e.version===null?{}:{expectedVersion:e.version},...e.sentDelete?{delete:!0}:t}}function ge(e,t){let n=/* @__PURE__ */ new Map;if(!g(e)||e.code!==`BAD_USER_INPUT`)return n;for(let r of e.errors){let e=r.extensions?.inputPath;if(!Array.isArray(e))continue;let i=e[2];if(e[1]!==`items`||!Number.isInteger(i)||i<0||i>=t)continue;let a=e.slice(3).join(`.`),o=r.message.split(`: `).slice(1).join(`: `)||r.message;n.has(i)||n.set(i,a?`${a}: ${o}`:o)}return n}function _e(e){return g(e)&&e.code===`NETWORK`}function ve(e,t,n){return K(t,n)?!0:e.version!==null&&n.version===e.version+1&&e.lost.some(e=>K(e,n))}function ye(e){let{code:t,message:n,retryable:r}=e;switch(e.__typename){case`GoalValidationFailed`:return{code:t,message:n,retryable:r,fieldErrors:e.fieldErrors};case`GoalVersionConflict`:return{code:t,message:n,retryable:r,current:e.current};default:return{code:t,message:n,retryable:r}}}var be=class{goals;client;target;backoff;requestsSent=0;constructor(e,t,n,r){this.goals=e,this.client=t,this.target=n,this.backoff=r}send(e,t){this.requestsSent+=1;let{orgSlug:n,periodId:r}=this.target,i={orgSlug:n,periodId:r,items:e.map(he)};return t?this.client.batchSaveGoals(i,{keepalive:t}):this.client.batchSaveGoals(i)}applyResults(e,t,n){if(t.results.length!==e.length)throw Error(`the server answered ${String(t.results.length)} results for ${String(e.length)} items`);e.forEach((e,r)=>{let i=t.results[r];i&&this.apply(e,i,n)})}requestFailed(e,t,n){let r=ge(t,e.length);e.forEach((e,i)=>{if(!e.sending)return;let{sent:a,sentDelete:o}=this.goals.finish(e);if(_e(t)&&e.id!==null&&!o&&this.goals.answerLost(e,a),this.goals.restore(e,a),r.size>0){let t=r.get(i);if(t===void 0)this.goals.retryLater(e,this.backoff.atOnce(),null,null);else{let n=`BAD_USER_INPUT: ${t}`;this.goals.block(e,n,{code:`BAD_USER_INPUT`,message:n,retryable:!1})}return}let s=g(t)?t.code:`NETWORK`,c=t instanceof Error?t.message:String(t),l=!g(t)||t.retryable;this.fail(e,{code:s,message:`${s}: ${c}`,retryable:l},n)})}apply(e,t,n){let{sent:r,sentDelete:i}=this.goals.finish(e);t.__typename===`GoalSaved`?this.goals.confirm(e,t.goal):t.__typename===`GoalDeleted`||t.__typename===`GoalNotFound`&&i?this.goals.forget(e):t.__typename===`GoalVersionConflict`&&!i&&ve(e,r,t.current)?this.ownWriteMet(e,r,t.current):(this.goals.restore(e,r),this.fail(e,ye(t),n))}ownWriteMet(e,t,n){let r=G(t,n);this.goals.restore(e,r),this.goals.confirm(e,n),Object.keys(r).length>0&&this.goals.retryLater(e,this.backoff.atOnce(),null,null)}fail(e,t,n){let r=t.message;if(t.retryable){let i=this.goals.countAttempt(e),a=this.backoff.retryAt(i,n);if(a!==null){this.goals.retryLater(e,a,`${r} (retrying)`,t);return}r=`${r} (gave up after ${String(i)} attempts)`}this.goals.block(e,r,t)}};const Q=Object.freeze({debounceMs:800,maxWaitMs:5e3,maxAttempts:5,backoffBaseMs:500,backoffMaxMs:3e4,maxBatch:200}),xe={now:()=>Date.now(),random:()=>Math.random(),setTimer:(e,t)=>setTimeout(e,t),clearTimer:e=>{clearTimeout(e)}};var Se=class extends Error{name=`SaverClosed`};function Ce(){return`tmp-${ne(16)}`}var we=class{client;orgSlug;periodId;closedFlag=!1;goals;store;transport;pump;follower;constructor(e,t){this.client=e,this.orgSlug=t.orgSlug,this.periodId=t.periodId;let n=t.storageKey??`goalpost.unsaved.v1.${t.orgSlug}.${t.periodId}`;this.store=t.storage?new pe(t.storage,n,fe):null,this.goals=new me(this.store);let r={...Q,...Te(t,Q)},i={...xe,...Te(t,xe)};this.transport=new be(this.goals,e,this,P(r,i)),this.pump=new F(this.goals,this.transport,r,i,t.keepalive===!0);let a={orgSlug:this.orgSlug,periodId:this.periodId};this.follower=t.live?new ie(this.goals,this.pump,e,a,r,i):null}async load(){this.follower?.start();let e=await this.restoreStored(),{myGoals:t}=await this.client.myGoals({orgSlug:this.orgSlug,periodId:this.periodId}),n=t.map(e=>this.goals.track(e));return e.length>0&&!this.closedFlag&&this.pump.flushNow(),[.../* @__PURE__ */ new Set([...e,...n])]}async restore(){this.follower?.start();let e=await this.restoreStored();return e.length>0&&!this.closedFlag&&this.pump.flushNow(),e}async restoreStored(){let e=[];return await this.store?.restore(t=>e.push(...this.goals.adopt(t)),e=>{this.closedFlag||(this.goals.adopt(e,!0),this.pump.flushNow())}),[...new Set(e)]}track(e){return this.follower?.start(),this.goals.track(e)}changedElsewhere(e,t){if(this.closedFlag||!this.goals.has(e))return`later`;let n=this.goals.changedElsewhere(this.goals.get(e),t);return this.pump.schedule(),n}add(e,t={},n=Ce()){return this.checkOpen(),this.follower?.start(),this.touch(this.goals.add(n,e,t)),n}edit(e,t,n){this.checkOpen(),this.touch(this.goals.edit(e,t,n))}delete(e){this.checkOpen();let t=this.goals.delete(e);t&&this.touch(t)}retry(e){this.checkOpen();for(let t of e===void 0?[...this.goals]:[this.goals.get(e)])t.blocked&&(this.goals.unblock(t,!1),this.touch(t))}resolveConflict(e,t){this.checkOpen();let n=this.goals.resolveConflict(e,t);n&&this.touch(n)}flush(){return this.closedFlag?Promise.resolve():this.pump.flush()}flushOnHide(){this.closedFlag||this.pump.flushOnHide()}settle(){return this.pump.settle()}async close(){if(!this.closedFlag)try{await this.flush()}finally{this.closedFlag=!0,this.store?.stop(),this.pump.stop(),await this.follower?.stop()}}subscribe(e){return this.goals.subscribe(e)}keys(){return this.goals.keys()}state(e){return this.goals.get(e).snapshot()}states(){return new Map(this.goals.keys().map(e=>[e,this.goals.get(e).snapshot()]))}has(e){return this.goals.has(e)}keyOf(e){return this.goals.byId(e)?.key??null}get sending(){return this.pump.inFlight}get closed(){return this.closedFlag}get live(){return this.follower}get requestsSent(){return this.transport.requestsSent}checkOpen(){if(this.closedFlag)throw new Se(`this auto-saver for org ${this.orgSlug} is closed`)}touch(e){this.pump.noteEdit(),this.goals.markEdited(e),this.goals.persist(),this.pump.schedule()}};function Te(e,t){let n={};for(let r of Object.keys(t)){let t=e[r];t!==void 0&&(n[r]=t)}return n}var $=class extends String{__apiType;value;__meta__;constructor(e,t){super(e),this.value=e,this.__meta__=t}toString(){return this.value}};new $(`
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
    `,{fragmentName:`GoalFields`}),new $(`
    fragment SaveResultFields on GoalSaveResult {
  __typename
  ... on GoalSaved {
    clientId
    created
    goal {
      ...GoalFields
    }
  }
  ... on GoalDeleted {
    clientId
    id
  }
  ... on GoalValidationFailed {
    clientId
    code
    message
    retryable
    fieldErrors {
      field
      message
    }
  }
  ... on GoalVersionConflict {
    clientId
    code
    message
    retryable
    current {
      ...GoalFields
    }
  }
  ... on GoalNotFound {
    clientId
    code
    message
    retryable
  }
  ... on GoalNotEditable {
    clientId
    code
    message
    retryable
    status
  }
  ... on GoalSaveFailed {
    clientId
    code
    message
    retryable
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}`,{fragmentName:`SaveResultFields`}),new $(`
    fragment ReviewFields on Goal {
  review {
    decision
    comment
    reviewedAt
    reviewer {
      id
      name
    }
  }
}
    `,{fragmentName:`ReviewFields`}),new $(`
    fragment EventFields on GoalEvent {
  id
  goalId
  kind
  version
  at
  actor {
    id
    name
  }
  requestId
  changes {
    field
    before
    after
  }
  comment
}
    `,{fragmentName:`EventFields`});const Ee=new $(`
    query Me {
  me {
    id
    email
    name
    memberships {
      role
      organization {
        slug
        name
      }
    }
  }
}
    `),De=new $(`
    query MyGoalHistory($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) {
      goals: myGoals {
        id
        history {
          ...EventFields
        }
      }
    }
  }
}
    fragment EventFields on GoalEvent {
  id
  goalId
  kind
  version
  at
  actor {
    id
    name
  }
  requestId
  changes {
    field
    before
    after
  }
  comment
}`),Oe=new $(`
    query MyGoals($orgSlug: String!, $periodId: ID!) {
  organization(slug: $orgSlug) {
    period(id: $periodId) {
      myGoals {
        ...GoalFields
        ...ReviewFields
      }
    }
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
fragment ReviewFields on Goal {
  review {
    decision
    comment
    reviewedAt
    reviewer {
      id
      name
    }
  }
}`),ke=new $(`
    query Organization($slug: String!) {
  organization(slug: $slug) {
    slug
    name
    competencies {
      id
      name
      idealActions
    }
    periods {
      id
      name
      status
      startsOn
      endsOn
    }
  }
}
    `),Ae=new $(`
    query TeamGoalHistory($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) {
      goals: teamGoals {
        id
        history {
          ...EventFields
        }
      }
    }
  }
}
    fragment EventFields on GoalEvent {
  id
  goalId
  kind
  version
  at
  actor {
    id
    name
  }
  requestId
  changes {
    field
    before
    after
  }
  comment
}`),je=new $(`
    query TeamGoals($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) {
      teamGoals {
        ...GoalFields
        owner {
          id
          name
          email
        }
        ...ReviewFields
      }
    }
  }
}
    fragment GoalFields on Goal {
  __typename
  id
  clientId
  category
  status
  weight
  version
  createdAt
  updatedAt
  ... on PerformanceGoal {
    title
    goalType
    specificGoal
    achievementCriteria
    meansMethods
  }
  ... on CompetencyGoal {
    competencyIds
    selectedIdealActions {
      competencyId
      actions
    }
    actionPlan
  }
  ... on CoreValueGoal {
    coreValuePlan
  }
}
fragment ReviewFields on Goal {
  review {
    decision
    comment
    reviewedAt
    reviewer {
      id
      name
    }
  }
}`);var Me=class{token;client;constructor(e,t=new URL(`/graphql`,location.href).href){this.token=e,this.client=new O({url:t,token:e})}async me(){return(await this.client.execute(Ee,{})).me}async organization(e){return(await this.client.execute(ke,{slug:e})).organization}async goals(e,t){return(await this.client.execute(Oe,{orgSlug:e,periodId:t})).organization.period.myGoals}batchSaveGoals(e,t){return this.client.batchSaveGoals(e,t)}async myGoals(e){return{myGoals:await this.goals(e.orgSlug,e.periodId)}}get wsUrl(){return this.client.wsUrl}connectionParams(){return this.client.connectionParams()}execute(e,t,n){return this.client.execute(e,t,n)}};function Ne(e){return`(${g(e)?e.code:`error`}): ${e instanceof Error?e.message:String(e)}`}async function Pe(){try{let e=await fetch(`/dev/tokens`,{headers:{accept:`application/json`}});return e.ok?await e.json():[]}catch{return[]}}export{h as A,w as C,E as D,ee as E,y as O,C as S,T,N as _,Ae as a,b,Q as c,pe as d,fe as f,R as g,K as h,De as i,g as j,_ as k,Se as l,W as m,Ne as n,je as o,V as p,Pe as r,we as s,Me as t,Ce as u,O as v,v as w,S as x,x as y};