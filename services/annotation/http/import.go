package http

import "github.com/gin-gonic/gin"

func (h *Handler) registerImport(g *gin.RouterGroup) {}
