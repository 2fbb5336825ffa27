/**
 * The GraphQL schema the gateway serves at `/graphql` (docs/graphql.md). Field names are the REST
 * bodies' own (snake_case), so a GraphQL answer is the REST answer narrowed to the fields asked
 * for; `FIELD_SOURCES` maps each object type to the REST route whose body it is, which the
 * system test checks against the services' OpenAPI (graphql.test.ts) so the two stay in step.
 */
export const SDL = /* GraphQL */ `
  """
  Read-only queries over the Portico services. Every field is loaded through the gateway's REST
  routes with the caller's credentials: a query sees exactly what the same REST calls would.
  """
  type Query {
    "The signed-in caller (anonymous: every field errors with unauthenticated)."
    viewer: Viewer!
    "GET /api/v1/orders/{id}"
    order(id: ID!): Order
    "GET /api/v1/shipments/{id}"
    shipment(id: ID!): Shipment
    "GET /api/v1/tasks/{id}"
    task(id: ID!): Task
    "GET /api/v1/students/{id}"
    student(id: ID!): Student
    "GET /api/v1/courses/{id}"
    course(id: ID!): Course
    "GET /api/v1/invoices/{id}"
    invoice(id: ID!): Invoice
  }

  "The caller: GET /api/v1/auth/me, loaded only when one of its own fields is asked for."
  type Viewer {
    id: ID!
    email: String!
    full_name: String!
    roles: [String!]!
    "GET /api/v1/orders: the caller's orders (staff and admins: everyone's), newest first."
    orders(first: Int = 20, status: String): [Order!]!
    "GET /api/v1/tasks: the tasks the caller created or is assigned."
    tasks(first: Int = 20): [Task!]!
    "GET /api/v1/students/me: the student record linked to the caller, or null."
    student: Student
  }

  type Order {
    id: ID!
    customer_id: ID!
    status: String!
    total: Money!
    tracking_number: String
    created_at: String!
    updated_at: String!
    shipped_at: String
    delivered_at: String
    cancelled_at: String
    items: [OrderItem!]!
    "The order's shipment (null until created): batched per query, one call for every order."
    shipment: Shipment
  }

  type OrderItem {
    product_id: ID!
    sku: String!
    name: String!
    quantity: Int!
    unit_price: Money!
  }

  "An amount in minor units with its ISO 4217 currency (REST's money object)."
  type Money {
    amount: Int!
    currency: String!
  }

  type Shipment {
    id: ID!
    order_id: ID!
    customer_id: ID!
    status: String!
    tracking_number: String!
    carrier: String
    created_at: String!
    updated_at: String!
    dispatched_at: String
    delivered_at: String
    cancelled_at: String
    "GET /api/v1/shipments/{id}/tracking (loaded with the shipment when listed by order)."
    tracking: Tracking!
    order: Order
  }

  type Tracking {
    shipment_id: ID!
    order_id: ID!
    tracking_number: String!
    status: String!
    carrier: String
    history: [TrackingStep!]!
  }

  type TrackingStep {
    status: String!
    at: String!
    note: String
  }

  type Task {
    id: ID!
    title: String!
    description: String
    status: String!
    priority: String!
    category_id: ID
    due_at: String
    assignee_id: ID
    created_by: ID!
    completed_at: String
    cancelled_at: String
    created_at: String!
    updated_at: String!
    "GET /api/v1/categories/{id}"
    category: Category
    "GET /api/v1/users/{id} (admins, or the caller themselves; otherwise an error)"
    assignee: User
  }

  type Category {
    id: ID!
    owner_id: ID!
    name: String!
    color: String!
    created_at: String!
    updated_at: String!
  }

  type User {
    id: ID!
    email: String!
    full_name: String!
    roles: [String!]!
    status: String!
    created_at: String!
    updated_at: String!
  }

  type Student {
    id: ID!
    student_number: String!
    email: String!
    full_name: String!
    phone: String
    address: String
    date_of_birth: String
    status: String!
    user_id: ID
    created_at: String!
    updated_at: String!
    "GET /api/v1/students/{id}/enrollments"
    enrollments(first: Int = 20): [Enrollment!]!
    "GET /api/v1/students/{id}/account"
    account: Account
    "GET /api/v1/invoices?student_id="
    invoices(first: Int = 20): [Invoice!]!
  }

  type Enrollment {
    id: ID!
    student_id: ID!
    course_id: ID!
    status: String!
    grade: Grade
    dropped_at: String
    created_at: String!
    updated_at: String!
    "GET /api/v1/courses/{id} (one call per distinct course in the query)"
    course: Course
  }

  type Grade {
    score: Float!
    grade: String!
    label: String!
    grade_points: Int!
    scale: String
    credits: Int
    graded_at: String
    graded_by: ID
  }

  type Course {
    id: ID!
    code: String!
    title: String!
    description: String
    credits: Int!
    capacity: Int!
    enrolled: Int!
    seats_available: Int!
    instructor_id: ID
    term: String
    subject_id: ID
    status: String!
    published_at: String
    archived_at: String
    created_at: String!
    updated_at: String!
  }

  type Account {
    id: ID!
    student_id: ID!
    balance: Int!
    currency: String!
  }

  type Invoice {
    id: ID!
    number: String!
    student_id: ID!
    status: String!
    currency: String!
    total: Int!
    amount_paid: Int!
    amount_refunded: Int!
    amount_credited: Int!
    balance_due: Int!
    due_date: String!
    enrollment_id: ID
    overdue_at: String
    voided_at: String
    created_at: String!
    updated_at: String!
    "GET /api/v1/payments?invoice_id= (admin and staff, as over REST)"
    payments(first: Int = 20): [Payment!]!
  }

  type Payment {
    id: ID!
    invoice_id: ID!
    student_id: ID!
    amount: Int!
    amount_refunded: Int!
    currency: String!
    method: String!
    reference: String
    created_at: String!
  }
`;

/**
 * The REST answer each object type is read from: `method path` as the service's OpenAPI
 * names it, and where in its 200 body the object sits (`item`: a page's `data[]`; `self`: the
 * body; `field:x`: the body's property x; `field:x[]`: the items of its array x).
 */
export const FIELD_SOURCES: Record<string, { operation: string; at: string }> = {
  Viewer: { operation: 'get /api/v1/auth/me', at: 'self' },
  Order: { operation: 'get /api/v1/orders', at: 'item' },
  OrderItem: { operation: 'get /api/v1/orders/{id}', at: 'field:items[]' },
  Shipment: { operation: 'get /api/v1/shipments', at: 'item' },
  Tracking: { operation: 'get /api/v1/shipments/{id}/tracking', at: 'self' },
  TrackingStep: { operation: 'get /api/v1/shipments/{id}/tracking', at: 'field:history[]' },
  Task: { operation: 'get /api/v1/tasks/{id}', at: 'self' },
  Category: { operation: 'get /api/v1/categories/{id}', at: 'self' },
  User: { operation: 'get /api/v1/users/{id}', at: 'self' },
  Student: { operation: 'get /api/v1/students/{id}', at: 'self' },
  Enrollment: { operation: 'get /api/v1/students/{id}/enrollments', at: 'item' },
  Grade: { operation: 'get /api/v1/enrollments/{id}', at: 'field:grade' },
  Course: { operation: 'get /api/v1/courses/{id}', at: 'self' },
  Account: { operation: 'get /api/v1/students/{id}/account', at: 'self' },
  Invoice: { operation: 'get /api/v1/invoices/{id}', at: 'self' },
  Payment: { operation: 'get /api/v1/payments', at: 'item' },
};

/**
 * Fields that load from a service (cost 1 each) and list fields paged by `first:` (their
 * children's cost is multiplied by it). Every other field is part of its parent's body: free.
 */
export const FETCHING_FIELDS: Record<string, { list: boolean }> = {
  // Counted once whether or not its own fields are asked for (GET /api/v1/auth/me).
  'Query.viewer': { list: false },
  'Query.order': { list: false },
  'Query.shipment': { list: false },
  'Query.task': { list: false },
  'Query.student': { list: false },
  'Query.course': { list: false },
  'Query.invoice': { list: false },
  'Viewer.orders': { list: true },
  'Viewer.tasks': { list: true },
  'Viewer.student': { list: false },
  'Order.shipment': { list: false },
  'Shipment.tracking': { list: false },
  'Shipment.order': { list: false },
  'Task.category': { list: false },
  'Task.assignee': { list: false },
  'Student.enrollments': { list: true },
  'Student.account': { list: false },
  'Student.invoices': { list: true },
  'Enrollment.course': { list: false },
  'Invoice.payments': { list: true },
};
