"""Discussion (商议): comments with stances, official answers, reports and moderation."""
