"""The API's logic; routers only translate HTTP to these calls."""
